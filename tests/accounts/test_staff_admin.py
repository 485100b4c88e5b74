"""Staff administration in the browser (issue 13, point 8): the administrator adds a person, changes
their role, team or details, disables and re-enables them, issues a new set-up code, and keeps the
organisation's settings. Every change is audited; everyone else is refused; nobody removes the last
administrator or disables themselves."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from confide import users
from confide.accounts.models import Organisation, Session
from confide.accounts.services import (
    AccountError,
    do_change_details,
    do_change_organisation,
    do_change_role,
    do_create_user,
    do_disable_user,
    do_enable_user,
    do_issue_setup_code,
    may_administer,
)
from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from tests.base import ConfideTestCase, role_of_kind

User = get_user_model()
CODE = re.compile(r'id="setup-code" readonly value="([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})"')


def events(action: str, **filters) -> list:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


def new_person(**overrides) -> dict:
    data = {"first_name": "Priya", "last_name": "Fictional", "username": "p.fictional", "email": "p@example.org",
            "role": "wss_worker", "team": "", "work_phone": "01632 960123", "password": "a long first password 42"}
    return {**data, **overrides}


class ServiceTests(ConfideTestCase):
    def setUp(self):
        self.admin = self.p["administrator"]
        self.worker_role = role_of_kind(self.p["pack"], "worker")
        self.admin_role = role_of_kind(self.p["pack"], "administrator")

    def test_adding_a_person_is_audited_and_issues_a_set_up_code(self):
        user, code = do_create_user(self.admin, "New.Person", role=self.worker_role, team=self.p["north"],
                                    first_name="Nia", last_name="Newcombe", email="nia@example.org",
                                    work_phone="01632 960111", password="a long first password 42")
        user.refresh_from_db()
        self.assertEqual((user.role, user.team, user.work_phone), (self.worker_role, self.p["north"], "01632 960111"))
        self.assertTrue(user.check_password("a long first password 42"))
        self.assertTrue(check_password(code.replace("-", ""), user.setup_code_hash), "the code shown is the one kept")
        created = events("user.created", object_id=str(user.pk))
        self.assertEqual([(e.actor_id, e.detail) for e in created], [(self.admin.pk, f'{{"role":"{self.worker_role}"}}')])
        self.assertEqual(events("second_factor.setup_code_issued", object_id=str(user.pk))[0].actor_id, self.admin.pk)
        self.assertTrue(verify_chain().ok)

    def test_a_taken_username_whatever_its_case_is_refused_and_nothing_is_added(self):
        before = User.objects.count()
        with self.assertRaisesMessage(AccountError, "'ASSIGNED' is taken by another account") as raised:
            do_create_user(self.admin, "ASSIGNED", role=self.worker_role, team=self.p["north"])
        self.assertEqual((raised.exception.field, raised.exception.code), ("username", "username_taken"))
        self.assertEqual(User.objects.count(), before)
        self.assertEqual(events("user.created"), [])

    def test_bad_input_is_refused_with_the_field_it_is_about(self):
        cases = [({"username": "x", "role": "wizard", "team": self.p["north"]}, "role", "expected one of"),
                 ({"username": "x", "role": self.worker_role, "team": None}, "team", "needs a team"),
                 ({"username": "two words", "role": self.worker_role, "team": self.p["north"]}, "username",
                  "only letters, numbers"),
                 ({"username": "x", "role": self.worker_role, "team": self.p["north"], "password": "password"},
                  "password", "too short"),
                 ({"username": "x", "role": self.worker_role, "team": self.p["north"], "email": "not-an-address"},
                  "email", "in full")]
        for kwargs, field, words in cases:
            with self.subTest(field=field), self.assertRaisesMessage(AccountError, words) as raised:
                do_create_user(self.admin, **kwargs)
            self.assertEqual(raised.exception.field, field)
        self.assertFalse(User.objects.filter(username="x").exists())

    def test_the_last_administrator_cannot_be_removed_by_any_route(self):
        with self.assertRaisesMessage(AccountError, "the only administrator") as raised:
            do_change_role(self.p["data_controller"], self.admin, self.worker_role, self.p["north"])
        self.assertEqual((raised.exception.code, raised.exception.status), ("last_administrator", 409))
        with self.assertRaisesMessage(AccountError, "the only administrator"):
            do_disable_user(None, self.admin)
        with self.assertRaisesMessage(users.UserError, "the only administrator"):
            users.disable("admin")
        with self.assertRaisesMessage(users.UserError, "the only administrator"):
            users.change_role("admin", role=self.worker_role, team="north")
        self.admin.refresh_from_db()
        self.assertEqual((self.admin.role, self.admin.is_active), (self.admin_role, True))
        self.assertEqual(events("user.role_changed") + events("user.disabled"), [])
        # With a second administrator, either may go.
        second, _ = do_create_user(None, "second.admin", role=self.admin_role, team=self.p["north"])
        do_disable_user(second, self.admin)
        self.admin.refresh_from_db()
        self.assertFalse(self.admin.is_active)
        with self.assertRaisesMessage(AccountError, "the only administrator"):
            do_change_role(None, second, self.worker_role, self.p["north"])

    def test_nobody_disables_their_own_account_changes_their_own_role_or_gives_themselves_a_code(self):
        for change in (lambda: do_disable_user(self.admin, self.admin),
                       lambda: do_change_role(self.admin, self.admin, self.admin_role, self.p["south"]),
                       lambda: do_issue_setup_code(self.admin, issued_by=self.admin)):
            with self.assertRaisesMessage(AccountError, "ask another administrator") as raised:
                change()
            self.assertEqual(raised.exception.code, "own_account")
        self.admin.refresh_from_db()
        self.assertEqual((self.admin.is_active, self.admin.team), (True, self.p["north"]))
        self.assertEqual(events("user.disabled") + events("user.role_changed") +
                         events("second_factor.setup_code_issued"), [])

    def test_disabling_twice_and_re_enabling(self):
        do_disable_user(self.admin, self.assigned)
        with self.assertRaisesMessage(AccountError, "already disabled"):
            do_disable_user(self.admin, self.assigned)
        do_enable_user(self.admin, self.assigned)
        with self.assertRaisesMessage(AccountError, "can already sign in"):
            do_enable_user(self.admin, self.assigned)
        self.assertEqual([e.actor_id for e in events("user.disabled") + events("user.enabled")],
                         [self.admin.pk, self.admin.pk])
        self.assertTrue(User.objects.get(pk=self.assigned.pk).is_active)

    def test_details_are_audited_by_name_never_by_value(self):
        self.assertEqual(do_change_details(self.admin, self.assigned, first_name="Ada", last_name="Assigned",
                                           email="", work_phone=""), [])
        self.assertEqual(events("user.details_changed"), [], "nothing changed, nothing recorded")
        changed = do_change_details(self.admin, self.assigned, first_name="Ada", last_name="Assigned",
                                    email="ada@example.org", work_phone="01632 960222")
        self.assertEqual(changed, ["email", "work_phone"])
        [event] = events("user.details_changed")
        self.assertEqual((event.actor_id, event.detail), (self.admin.pk, '{"fields":["email","work_phone"]}'))
        self.assertEqual(User.objects.get(pk=self.assigned.pk).work_phone, "01632 960222")

    def test_organisation_settings(self):
        for days in (0, 91, "soon"):
            with self.subTest(days=days), self.assertRaisesMessage(AccountError, "from 1 to 90") as raised:
                do_change_organisation(self.admin, phone="", address="", email="", task_due_days=days,
                                       email_reminders=False)
            self.assertEqual(raised.exception.field, "task_due_days")
        changed = do_change_organisation(self.admin, phone="01632 960000", address="1 Fictional Row\nNorthvale",
                                         email="office@example.org", task_due_days=14, email_reminders=True)
        self.assertEqual(set(changed), {"phone", "address", "email", "task_due_days", "email_reminders"})
        organisation = Organisation.objects.get(pk=1)
        self.assertEqual((organisation.phone, organisation.task_due_days, organisation.email_reminders),
                         ("01632 960000", 14, True))
        [event] = events("organisation.changed")
        self.assertEqual(event.actor_id, self.admin.pk)
        self.assertNotIn("01632", event.detail)

    def test_only_administrators_may_administer(self):
        self.assertTrue(may_administer(self.admin))
        for who in ("assigned", "manager", "data_controller", "trustee", "volunteer"):
            self.assertFalse(may_administer(self.p[who]), who)
        do_disable_user(None, self.assigned)
        self.assertFalse(may_administer(self.p["assigned"]))


class PageTests(ConfideTestCase):
    def setUp(self):
        self.admin = self.p["administrator"]
        self.worker_role = role_of_kind(self.p["pack"], "worker")
        self.admin_role = role_of_kind(self.p["pack"], "administrator")

    def pages(self) -> list[str]:
        return [reverse("web:staff_list"), reverse("web:staff_add"), reverse("web:staff_member", args=[self.assigned.pk]),
                reverse("web:staff_change", args=[self.assigned.pk]), reverse("web:organisation_settings")]

    def test_a_ladder_anonymous_then_each_other_role_then_the_administrator(self):
        for url in self.pages():
            self.assertTrue(self.client.get(url)["Location"].startswith(reverse("accounts:login")), url)
        for who in ("assigned", "same_team", "manager", "data_controller", "trustee", "volunteer"):
            self.sign_in(who)
            for url in self.pages():
                for method in ("get", "post"):
                    response = getattr(self.client, method)(url, {"do": "disable", **new_person()})
                    if method == "post" and url == reverse("web:staff_list"):
                        self.assertEqual(response.status_code, 405, "the list is GET only, for everyone")
                        continue
                    self.assertContains(response, "You cannot do that", status_code=403)
        self.assertTrue(User.objects.get(pk=self.assigned.pk).is_active)
        self.assertFalse(User.objects.filter(username="p.fictional").exists())
        self.assertEqual(events("user.disabled") + events("user.created") + events("organisation.changed"), [])
        self.sign_in("administrator")
        for url in self.pages():
            self.assertEqual(self.client.get(url).status_code, 200, url)
        self.assertEqual(self.client.get(reverse("web:staff_member", args=[999999])).status_code, 404)

    def test_the_nav_offers_staff_to_the_administrator_only(self):
        link = f'href="{reverse("web:staff_list")}">Staff</a>'
        self.sign_in("administrator")
        home = self.client.get(reverse("web:home"))
        self.assertContains(home, link)
        self.assertContains(home, f'<a href="{reverse("web:staff_list")}">Manage staff</a>')
        self.sign_in("manager")
        self.assertNotContains(self.client.get(reverse("web:home")), link)

    def test_the_list_is_paged_searchable_and_flat(self):
        User.objects.bulk_create([User(username=f"volunteer{n:03}", first_name="Bulk", last_name=f"Person{n:03}",
                                       role=self.worker_role, team=self.p["north"]) for n in range(120)])
        self.sign_in("administrator")
        url = reverse("web:staff_list")
        self.client.get(url)  # the session and the pack, once
        with self.assert_max_queries(8):
            first = self.client.get(url)
        with self.assert_max_queries(8):
            self.client.get(url + "?page=3")
        page = first.content.decode()
        self.assertIn("1 to 50 of 128", page)
        self.assertIn("Page 1 of 3", page)
        self.assertIn(self.p["pack"].roles[self.worker_role].label, page, "roles by their labels, not codes")
        self.assertNotIn(self.worker_role, page)
        found = self.client.get(url, {"q": "ada assi"}).content.decode()
        self.assertIn("1 to 1 of 1", found)
        self.assertIn("<bdi>Ada Assigned</bdi>", found)
        self.assertIn("1 to 1 of 1", self.client.get(url, {"q": "person007"}).content.decode())
        none = self.client.get(url, {"q": "nobody-at-all"}).content.decode()
        self.assertIn("No account has a name or username containing", none)
        self.assertEqual(self.client.get(url, {"page": "999"}).status_code, 200, "a page past the end: the last")

    def test_adding_a_person_shows_their_set_up_code_once(self):
        self.sign_in("administrator")
        response = self.client.post(reverse("web:staff_add"), new_person(team=self.p["south"].pk))
        self.assertEqual(response.status_code, 200)
        code = CODE.search(response.content.decode()).group(1)
        person = User.objects.get(username="p.fictional")
        self.assertTrue(check_password(code.replace("-", ""), person.setup_code_hash))
        self.assertEqual((person.team, person.work_phone, person.email), (self.p["south"], "01632 960123", "p@example.org"))
        self.assertContains(response, "never by email")
        self.assertEqual(events("user.created", object_id=str(person.pk))[0].actor_id, self.admin.pk)
        again = self.client.get(reverse("web:staff_member", args=[person.pk]))
        self.assertNotContains(again, code)
        self.assertContains(again, "a set-up code is waiting to be used")

    def test_a_duplicate_username_and_other_mistakes_are_named_on_the_form(self):
        self.sign_in("administrator")
        url = reverse("web:staff_add")
        for data, words in ((new_person(username="Assigned", team=self.p["north"].pk),
                             "&#x27;Assigned&#x27; is taken by another account: choose another."),
                            (new_person(role="wizard", team=self.p["north"].pk),
                             "That is not one of this organisation&#x27;s roles"),
                            (new_person(team="999999"), "That team does not exist"),
                            (new_person(team=""), "Every member of staff needs a team"),
                            (new_person(team=self.p["north"].pk, work_phone="call me"), "Give the number in figures"),
                            (new_person(team=self.p["north"].pk, password="short"), "This password is too short")):
            with self.subTest(words=words):
                self.assertContains(self.client.post(url, data), words, status_code=400)
        self.assertFalse(User.objects.filter(username="p.fictional").exists())

    def test_changing_a_role_signs_them_out_and_is_audited(self):
        browser = Client()
        browser.force_login(self.assigned)
        self.sign_in("administrator")
        manager_role = role_of_kind(self.p["pack"], "manager")
        url = reverse("web:staff_change", args=[self.assigned.pk])
        self.assertContains(self.client.get(url), "Team manager (line manager)")
        response = self.client.post(url, {"first_name": "Ada", "last_name": "Assigned", "email": "", "work_phone": "",
                                          "role": manager_role, "team": self.p["south"].pk})
        self.assertRedirects(response, reverse("web:staff_member", args=[self.assigned.pk]) + "?done=changed")
        person = User.objects.get(pk=self.assigned.pk)
        self.assertEqual((person.role, person.team), (manager_role, self.p["south"]))
        [event] = events("user.role_changed")
        self.assertEqual(event.actor_id, self.admin.pk)
        self.assertFalse(Session.objects.filter(user_id=person.pk).exists())
        self.assertEqual(events("user.details_changed"), [], "the details were as they were")
        self.assertContains(self.client.get(response["Location"]), "Team manager (line manager)")

    def test_an_administrator_cannot_change_their_own_role_or_disable_themselves(self):
        self.sign_in("administrator")
        response = self.client.post(reverse("web:staff_change", args=[self.admin.pk]), {
            "first_name": "Alex", "last_name": "Admin", "email": "", "work_phone": "", "role": self.worker_role,
            "team": self.p["north"].pk})
        self.assertContains(response, "You cannot change your own role or team: ask another administrator.",
                            status_code=400)
        own = reverse("web:staff_member", args=[self.admin.pk])
        self.assertNotContains(self.client.get(own), "Disable this account")
        for action, words in (("disable", "You cannot disable your own account"),
                              ("setup_code", "You cannot issue a set-up code for yourself")):
            self.assertContains(self.client.post(own, {"do": action}), words, status_code=400)
        self.admin.refresh_from_db()
        self.assertEqual((self.admin.role, self.admin.is_active), (self.admin_role, True))
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200, "still signed in")

    def test_disable_and_re_enable(self):
        browser = Client()
        browser.force_login(self.assigned)
        self.sign_in("administrator")
        url = reverse("web:staff_member", args=[self.assigned.pk])
        response = self.client.post(url, {"do": "disable"})
        self.assertRedirects(response, url + "?done=disable")
        page = self.client.get(response["Location"])
        self.assertContains(page, "The account is disabled")
        self.assertContains(page, "Re-enable this account")
        self.assertFalse(User.objects.get(pk=self.assigned.pk).is_active)
        self.assertEqual(browser.get(reverse("web:home")).status_code, 302, "signed out at once")
        self.assertEqual(events("sessions.ended", object_id=str(self.assigned.pk))[-1].actor_id, self.admin.pk)
        self.assertContains(self.client.post(url, {"do": "disable"}), "already disabled", status_code=400)
        self.assertRedirects(self.client.post(url, {"do": "enable"}), url + "?done=enable")
        self.assertTrue(User.objects.get(pk=self.assigned.pk).is_active)
        self.assertEqual([e.actor_id for e in events("user.disabled") + events("user.enabled")],
                         [self.admin.pk, self.admin.pk])
        self.assertContains(self.client.post(url, {"do": "explode"}), "use one of its buttons", status_code=400)

    def test_a_new_set_up_code(self):
        self.sign_in("administrator")
        url = reverse("web:staff_member", args=[self.assigned.pk])
        first = CODE.search(self.client.post(url, {"do": "setup_code"}).content.decode()).group(1)
        second = CODE.search(self.client.post(url, {"do": "setup_code"}).content.decode()).group(1)
        self.assertNotEqual(first, second)
        person = User.objects.get(pk=self.assigned.pk)
        self.assertTrue(check_password(second.replace("-", ""), person.setup_code_hash))
        self.assertFalse(check_password(first.replace("-", ""), person.setup_code_hash), "the first stops working")
        self.assertEqual([e.actor_id for e in events("second_factor.setup_code_issued", object_id=str(person.pk))],
                         [self.admin.pk, self.admin.pk])
        self.assertNotContains(self.client.get(url), second)

    def test_organisation_settings_page(self):
        self.sign_in("administrator")
        url = reverse("web:organisation_settings")
        data = {"phone": "01632 960000", "email": "office@example.org", "address": "1 Fictional Row",
                "task_due_days": "0"}
        self.assertContains(self.client.post(url, data), "Give a number of days from 1 to 90.", status_code=400)
        self.assertContains(self.client.post(url, {**data, "task_due_days": "14", "phone": "ring us"}),
                            "Give the number in figures", status_code=400)
        self.assertEqual(events("organisation.changed"), [])
        self.assertRedirects(self.client.post(url, {**data, "task_due_days": "14", "email_reminders": "on"}),
                             url + "?done=saved")
        organisation = Organisation.objects.get(pk=1)
        self.assertEqual((organisation.phone, organisation.task_due_days, organisation.email_reminders),
                         ("01632 960000", 14, True))
        self.assertEqual(events("organisation.changed")[0].actor_id, self.admin.pk)
        self.assertContains(self.client.get(url + "?done=saved"), 'value="01632 960000"')
