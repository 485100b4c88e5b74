"""Lists are asked of the policy as a query (issue 18): the filter the database applies names the
same clients the engine, asked case by case, would open, no more and no fewer.

On random organisations (teams, people of every role of the pack, some with no team, clients with
cases in random services and teams, random workers) for every built-in pack, every role and every
purpose: list_clients() names exactly the clients with a case in the list's scope (the person's own
cases for direct support, their team's otherwise) that case_decision(), the gate's per-case question
to the engine, permits; paging by `after` walks the same clients in the same order; and listable()
agrees with the per-case decision over every case of the clients asked about.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from confide.accounts.models import Organisation, Team
from confide.policy import load_pack, pack_names
from confide.records.access import case_decision, list_clients, listable
from confide.records.models import Case, Client
from confide.staffing.demo import sign_everyone
from tests.base import ConfideTestCase

EXAMPLES = settings(max_examples=3, deadline=None, derandomize=True, database=None, print_blob=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])


def _organisation(pack_name: str, rng: random.Random):
    pack = load_pack(pack_name)
    Organisation.objects.update_or_create(id=1, defaults={"name": "Test Support Service", "pack": pack_name})
    teams = [Team.objects.create(name=f"Team {n}", slug=f"team-{n}") for n in range(3)]
    User = get_user_model()
    people = []
    for n, role in enumerate(sorted(pack.roles)):
        for copy in range(2):
            team = None if rng.random() < 0.15 else rng.choice(teams)
            people.append(User.objects.create_user(username=f"p{n}-{copy}", password="unused-password-1",
                                                   role=role, team=team, first_name="Fictional", last_name=f"P{n}"))
    sign_everyone(people, timezone.localdate())  # declarations and induction done (issue 16): the gate opens
    services = sorted(pack.services) + ["not_in_this_pack"]
    cases = []
    for n in range(24):
        client = Client.objects.create(display_name=f"Fictional Client{n}", team=rng.choice(teams))
        for _ in range(rng.choice((0, 1, 1, 2))):
            case = Case.objects.create(client=client, service=rng.choice(services), team=rng.choice(teams))
            case.workers.set(rng.sample(people, rng.choice((0, 1, 2, 3))))
            cases.append(case)
    return pack, people, Case.objects.select_related("team", "client").prefetch_related("workers").all()


class ListFilterAgreesWithTheEngineTests(HypothesisTestCase):
    def _check(self, pack_name: str, seed: int):
        rng = random.Random(seed)
        pack, people, cases = _organisation(pack_name, rng)
        cases = list(cases)
        client_ids = sorted({case.client_id for case in cases} | set(Client.objects.values_list("id", flat=True)))
        names = {client.pk: client.display_name for client in Client.objects.all()}
        for user in people:
            for purpose in pack.purposes:
                def permitted(case, user=user, purpose=purpose):
                    return case_decision(user, case, "identity", purpose)["decision"] == "permit"

                if purpose == "direct_support":
                    in_scope = [case for case in cases if user in case.workers.all()]
                elif user.team_id is not None:
                    in_scope = [case for case in cases if case.team_id == user.team_id]
                else:
                    in_scope = []
                expected = sorted({case.client_id for case in in_scope if permitted(case)}, reverse=True)
                with self.subTest(pack=pack_name, role=user.role, team=user.team_id, purpose=purpose):
                    got = [client.pk for client in list_clients(user, purpose, limit=1000)]
                    self.assertEqual(got, expected, "the list and the per-case decision disagree")
                    paged, after = [], None
                    while True:
                        page = [c.pk for c in list_clients(user, purpose, limit=3, after=after)]
                        paged += page
                        if len(page) < 3:
                            break
                        after = page[-1]
                    self.assertEqual(paged, expected, "paging walks a different list")
                    query = f"Client{rng.randrange(1, 24)}"  # a prefix: Client1 finds Client1 and Client10-19
                    named = {pk for pk, name in names.items() if name.split()[1].lower().startswith(query.lower())}
                    found = [client.pk for client in list_clients(user, purpose, query=query, limit=1000)]
                    self.assertEqual(found, [pk for pk in expected if pk in named], "the search and the list disagree")
                    any_case = {case.client_id for case in cases if permitted(case)}
                    self.assertEqual(listable(user, client_ids, purpose), any_case)

    @EXAMPLES
    @given(seed=st.integers(min_value=0, max_value=2**32 - 1), pack_name=st.sampled_from(sorted(pack_names())))
    def test_the_list_names_exactly_whom_the_engine_opens(self, seed, pack_name):
        self._check(pack_name, seed)



def _one_pack(pack_name: str):
    def test(self):
        self._check(pack_name, seed=len(pack_name))
    test.__doc__ = f"The {pack_name} pack, on one fixed random organisation."
    return test


for _name in sorted(pack_names()):
    setattr(ListFilterAgreesWithTheEngineTests, f"test_the_{_name}_pack", _one_pack(_name))


class PurposesOfferedTests(ConfideTestCase):
    """Offer only what can be permitted (issue 18 point 2): the list and the form for opening a file
    by number offer the purposes the pack could permit for this person, and a purpose that lists
    nothing for them is refused at once, without asking the database about any client."""

    def test_a_worker_is_offered_team_purposes_and_a_volunteer_only_their_own_list(self):
        self.sign_in("same_team")
        offered = [p for p, _ in self.client.get(reverse("web:client_list")).context["purposes"]]
        self.assertEqual(offered, ["direct_support", "cover", "supervision", "advice"])
        self.sign_in("volunteer")  # dvip: a volunteer reads only the cases they work on (9.03)
        offered = [p for p, _ in self.client.get(reverse("web:client_list")).context["purposes"]]
        self.assertEqual(offered, ["direct_support"])

    def test_a_purpose_that_lists_nothing_is_refused_before_any_client_is_read(self):
        self.sign_in("volunteer")
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(reverse("web:client_list") + "?purpose=cover")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "That purpose lists no clients for you", status_code=400)
        self.assertFalse([q for q in captured if "records_case" in q["sql"] or "records_client" in q["sql"]])

    def test_an_unknown_purpose_is_a_clear_error(self):
        self.sign_in("same_team")
        response = self.client.get(reverse("web:client_list") + "?purpose=gossip")
        self.assertContains(response, "That purpose is not one Confide knows", status_code=400)

    def test_the_open_form_offers_the_packs_purposes_and_none_to_a_trustee(self):
        self.sign_in("other_team")
        choices = [p for p, _ in self.client.get(reverse("web:open_outside")).context["form"].fields["purpose"].choices]
        self.assertIn("emergency", choices)  # dvip: break-glass reaches any file, with a reason
        self.assertEqual(choices[0], "direct_support")
        self.sign_in("trustee")  # dvip 10.03: committee members are given no client's details
        page = self.client.get(reverse("web:open_outside"))
        self.assertContains(page, "gives no purpose for opening anyone else")
        self.assertNotContains(page, 'name="purpose"')
