"""Pages cost the same number of queries however many clients, cases and events they show, so a
service with thousands of clients does not pay per row (N+1 queries)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confide.accounts.models import current_organisation, current_policy
from confide.records.models import Case, Client
from tests.base import CLIENT_NAME, ConfideTestCase


class QueryCountTests(ConfideTestCase):
    def setUp(self):
        current_policy()  # the pack's name is read once per process, not per page
        current_organisation()  # and so is the organisation, for the header

    def queries(self, url, data=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.post(url, data) if data is not None else self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return len(captured)

    def add_clients(self, n: int) -> None:
        for i in range(n):
            client = Client.objects.create(display_name=f"Count Person {i}", team=self.p["north"])
            case = Case.objects.create(client=client, service="wss", team=self.p["north"], status=Case.Status.OPEN)
            case.workers.add(self.p["assigned"])

    def test_the_home_list_does_not_grow_with_clients(self):
        self.sign_in("assigned")
        few = self.queries(reverse("web:home"))
        self.add_clients(15)
        self.assertEqual(self.queries(reverse("web:home")), few)

    def test_the_record_of_access_does_not_grow_with_events(self):
        self.sign_in("assigned")
        url = reverse("web:record_of_access", args=[self.p["client"].pk])
        few = self.queries(url)
        for _ in range(10):
            self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertEqual(self.queries(url), few)

    def test_the_client_file_does_not_grow_with_cases(self):
        self.sign_in("assigned")
        url = reverse("web:client_file", args=[self.p["client"].pk])
        few = self.queries(url)
        for service in ("vpp", "stephens_place", "wss"):
            Case.objects.create(client=self.p["client"], service=service, team=self.p["north"]).workers.add(self.p["assigned"])
        self.assertEqual(self.queries(url), few)

    def test_the_client_file_does_not_grow_with_entries_or_people(self):
        from confide.records.entries import EntryFacts, do_add_note
        from confide.records.people import do_add_related_person

        self.sign_in("assigned")
        url = reverse("web:client_file", args=[self.p["client"].pk])
        few = self.queries(url)
        for i in range(12):
            person = do_add_related_person(self.p["assigned"], self.p["client"], "family_member", {"name": f"Kin {i}"})
            do_add_note(self.p["assigned"], self.p["case"], f"Note {i}", EntryFacts(about_people=[person]))
            do_add_note(self.p["assigned"], self.p["case"], f"Sealed {i}", EntryFacts(categories=["health"], sealed=True))
        self.assertEqual(self.queries(url), few)

    def test_the_client_list_and_search_do_not_grow_with_clients(self):
        self.sign_in("assigned")
        self.add_clients(1)  # one found by the search, so both counts include the rows' queries
        few = self.queries(reverse("web:client_list"))
        few_search = self.queries(reverse("web:client_list"), {"q": "Count"})
        self.add_clients(15)
        self.assertEqual(self.queries(reverse("web:client_list")), few)
        self.assertEqual(self.queries(reverse("web:client_list"), {"q": "Count"}), few_search)

    def test_the_review_queue_does_not_grow_with_openings(self):
        from confide.records.break_glass import do_open_outside

        self.sign_in("manager")
        url = reverse("web:review_queue")
        few = self.queries(url)
        for _ in range(5):
            do_open_outside(self.p["other_team"], self.p["client"].pk, "direct_support", "Duty line call, worker away")
        self.assertEqual(self.queries(url), few)

    def test_a_page_does_not_rewrite_the_session_each_time(self):
        self.sign_in("assigned")  # sets the last-seen time just now
        with CaptureQueriesContext(connection) as captured:
            self.client.get(reverse("web:home"))
        self.assertFalse([q for q in captured if q["sql"].startswith("UPDATE \"accounts_session\"")],
                         "within 30 seconds of the last, a page leaves the session as it is")


class FixedReadsTests(ConfideTestCase):
    """The pages above read with a few fixed SELECTs rather than querysets (confide/records/access.py,
    confide/accounts/sessions.py and backend.py): they read what the ORM would, converted as it would."""

    def test_the_file_reads_what_the_orm_reads(self):
        from confide.records.access import access_client
        from confide.records.entries import EntryFacts, do_add_note
        from confide.records.models import Entry, SafeContact
        from confide.records.people import do_add_related_person
        from confide.records.rows import load_client as _load_client

        p = self.p
        second = Case.objects.create(client=p["client"], service=p["case"].service, team=p["south"],
                                     flags=["legal_hold"])
        second.workers.add(p["same_team"], p["assigned"])
        Case.objects.create(client=p["client"], service=p["case"].service, team=p["north"])  # nobody on it yet
        sister = do_add_related_person(p["assigned"], p["client"], "family_member", {"name": "Fictional Sister"})
        do_add_note(p["assigned"], second, "Unsolicited letter", EntryFacts(unsolicited=True, source="third_party",
                                                                          about_people=[p["ex_partner"]]))
        do_add_note(p["assigned"], second, "Both of them called", EntryFacts(about_people=[sister, p["ex_partner"]]))
        grant = access_client(p["assigned"], p["client"].pk, "direct_support")
        self.assertEqual((grant.client.display_name, grant.client.team.slug), (p["client"].display_name, "north"))
        loaded = _load_client(p["client"].pk).loaded_cases  # every case, opened to this person or not
        self.assertEqual([c.pk for c in loaded], [c.pk for c in Case.objects.filter(client=p["client"])])
        self.assertEqual(len(loaded), 3)
        self.assertEqual([c.pk for c in grant.cases], [c.pk for c in loaded if c.worker_ids])
        for case in loaded:
            orm = Case.objects.select_related("team").get(pk=case.pk)
            self.assertEqual([(f.attname, getattr(case, f.attname)) for f in Case._meta.concrete_fields],
                             [(f.attname, getattr(orm, f.attname)) for f in Case._meta.concrete_fields])
            self.assertEqual(case.team.slug, orm.team.slug)
            self.assertEqual(case.worker_ids, {w.pk for w in orm.workers.all()})
            self.assertEqual(case.worker_names, [w.get_full_name() for w in orm.workers.all()])
        orm_entries = list(Entry.objects.filter(case_id__in=grant.case_ids).select_related("author")
                           .prefetch_related("about_people").order_by("-created_at", "-id"))
        entries = grant.entries()
        self.assertEqual([e.pk for e in entries], [e.pk for e in orm_entries])
        for entry, orm in zip(entries, orm_entries, strict=True):
            self.assertEqual([(f.attname, getattr(entry, f.attname)) for f in Entry._meta.concrete_fields],
                             [(f.attname, getattr(orm, f.attname)) for f in Entry._meta.concrete_fields])
            self.assertEqual(entry.author_name, orm.author.get_full_name())
            self.assertEqual(entry.about_people_ids, sorted(person.pk for person in orm.about_people.all()))
        self.assertEqual([(x.pk, x.ref, bytes(x.details_sealed)) for x in grant.related_people()],
                         [(x.pk, x.ref, bytes(x.details_sealed)) for x in p["client"].people.all()])
        contact, orm_contact = grant.safe_contact(), SafeContact.objects.get(client=p["client"])
        self.assertEqual((contact.ref, bytes(contact.details_sealed), contact.confirmed_on, contact.updated_at),
                         (orm_contact.ref, bytes(orm_contact.details_sealed), orm_contact.confirmed_on,
                          orm_contact.updated_at))

    def test_a_name_search_finds_a_whole_part_or_the_start_of_one_through_the_blind_index(self):
        # The database holds no name to compare (DVIP 3.07): a search matches each part typed against
        # the start of a part of the name, whatever the case, accents and punctuation.
        from confide.records.access import list_clients

        names = ["Zoë Ashdown-Price", "ZOE ASHDOWN", "O'Brien Plain", "Siân Ó Ceallaigh", "Plainer Morris", "100% Sure"]
        made = {}
        for name in names:
            client = made[name] = Client.objects.create(display_name=name, team=self.p["north"])
            Case.objects.create(client=client, service=self.p["case"].service,
                                team=self.p["north"]).workers.add(self.p["assigned"])
        expected = {"zoe": ["Zoë Ashdown-Price", "ZOE ASHDOWN"], "Zoë": ["Zoë Ashdown-Price", "ZOE ASHDOWN"],
                    "ash": ["Zoë Ashdown-Price", "ZOE ASHDOWN"], "price": ["Zoë Ashdown-Price"],
                    "zoe ashdown-price": ["Zoë Ashdown-Price"], "O'Bri": ["O'Brien Plain"], "obrien": ["O'Brien Plain"],
                    "plain": ["O'Brien Plain", "Plainer Morris"], "plain morr": ["Plainer Morris"],
                    "sian o ceall": ["Siân Ó Ceallaigh"], "o": ["Siân Ó Ceallaigh"], "100": ["100% Sure"],
                    "brien": ["O'Brien Plain"], "rien": [], "wn": [], "%": [], "z": [], "zel": [CLIENT_NAME], "Zelda Quillfeather": [CLIENT_NAME]}
        made[CLIENT_NAME] = self.p["client"]
        for query, wanted in expected.items():
            with self.subTest(query=query):
                found = [c.pk for c in list_clients(self.p["assigned"], query=query)]
                self.assertEqual(found, sorted((made[name].pk for name in wanted), reverse=True))

    def test_the_session_and_the_person_are_still_checked_on_every_request(self):
        from django.utils import timezone

        from confide.accounts.models import Session

        home = reverse("web:home")
        user = self.sign_in("assigned")
        self.assertEqual(self.client.get(home).status_code, 200)
        Session.objects.update(expire_date=timezone.now())  # an expired session signs nobody in
        self.assertEqual(self.client.get(home).status_code, 302)
        self.sign_in("assigned")
        user.set_password("a-new-password-2026")  # the session's hash no longer matches: signed out
        user.save()
        self.assertEqual(self.client.get(home).status_code, 302)
        user.is_active = False
        user.save()
        self.sign_in("assigned")  # force_login skips the check; the next request does not
        self.assertEqual(self.client.get(home).status_code, 302)
