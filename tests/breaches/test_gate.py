"""Who may read a breach, for every pack: each step of the pack's chain and the data controller read
it; a worker reads only what they recorded; a role the pack keeps apart from breaches (Day-Mer's
Complaints Officer, "under no circumstances") never does, even though the pack makes it an
administrator, even if they try to record one. Every read and refusal is audited."""

from __future__ import annotations

import json

from django.http import Http404

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.breaches import access as gate
from confide.breaches import services
from confide.notices.models import Notice
from confide.policy import governance, vocab
from tests.base import ConfideTestCase
from tests.breaches.helpers import person, record

PACKS = ("dvip", "day_mer", "derbyshire", "home_start", "justus")


class EveryPackGate:
    pack_name = "dvip"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        pack = cls.p["pack"]
        cls.chain = governance.breach_chain(pack)
        # The person the pack's chain names at each step (one per role), made if the base set has none.
        cls.stepped = {}
        for step in cls.chain:
            for role in step.roles:
                existing = [u for u in cls.p.values() if getattr(u, "role", None) == role]
                cls.stepped[role] = existing[0] if existing else person(cls.p, role)
        cls.breach = record(cls.p["assigned"], pack)

    def test_every_role_of_step_one_reads_the_breach_and_was_told(self):
        for role in self.chain[0].roles:
            user = self.stepped[role]
            found = gate.access_breach(user, self.breach.pk)
            self.assertEqual(found.breach.pk, self.breach.pk, role)
            self.assertTrue(found.may_act, role)
            notice = Notice.objects.filter(user=user, object_type="breach", object_id=self.breach.pk).first()
            self.assertIsNotNone(notice, f"{role} was told")
            self.assertEqual(notice.get_kind_display(), "Breach to act on", role)

    def test_every_role_of_the_chain_and_the_data_controller_read_it(self):
        for role, user in self.stepped.items():
            self.assertTrue(gate.access_breach(user, self.breach.pk).may_act, role)
        if not gate.kept_apart(self.p["data_controller"]):
            self.assertEqual(gate.access_breach(self.p["data_controller"], self.breach.pk).basis in
                             ("chain", "data_controller"), True)

    def test_a_worker_who_did_not_record_it_cannot_read_it_and_the_refusal_is_audited(self):
        with self.assertRaises(Http404):
            gate.access_breach(self.p["same_team"], self.breach.pk)
        refused = AuditEvent.objects.filter(action=Action.BREACH_READ_REFUSED, object_id=str(self.breach.pk)).last()
        self.assertEqual(json.loads(refused.detail)["reason"], "not_in_chain")
        self.assertEqual(gate.list_breaches(self.p["same_team"]), [])

    def test_the_worker_who_recorded_it_reads_it_but_does_not_act_on_it(self):
        found = gate.access_breach(self.p["assigned"], self.breach.pk)
        self.assertFalse(found.may_act)
        with self.assertRaises(Http404):
            gate.access_breach(self.p["assigned"], self.breach.pk, write=True)

    def test_a_missing_breach_is_refused_as_a_forbidden_one_is(self):
        with self.assertRaises(Http404):
            gate.access_breach(self.stepped[self.chain[0].roles[0]], self.breach.pk + 1000)

    def test_the_chain_never_reaches_a_role_kept_apart(self):
        never = gate.kept_apart
        pack = self.p["pack"]
        for step in self.chain:
            for role in step.roles:
                self.assertFalse(never(self.stepped[role], pack), role)


for _name in PACKS:
    globals()[f"Gate_{_name}"] = type(f"Gate_{_name}", (EveryPackGate, ConfideTestCase), {"pack_name": _name})


class DayMerComplaintsOfficerTests(ConfideTestCase):
    """Day-Mer: "Under no circumstances is a breach of confidentiality discussed with the Complaints
    Officer". The pack makes the role an administrator; the gate refuses it on every path."""

    pack_name = "day_mer"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer = cls.p["administrator"]
        assert cls.officer.role == "complaints_officer"
        cls.coordinator = cls.p["manager"]
        assert cls.coordinator.role == "centre_coordinator"
        cls.chair = cls.p["trustee"]
        cls.vice = person(cls.p, "vice_chair")
        cls.breach = record(cls.p["assigned"], cls.p["pack"], risk="high")

    def test_the_officer_never_reads_a_breach(self):
        with self.assertRaises(Http404):
            gate.access_breach(self.officer, self.breach.pk)
        with self.assertRaises(Http404):
            gate.access_breach(self.officer, self.breach.pk, write=True)
        self.assertEqual(gate.list_breaches(self.officer), [])
        reasons = list(AuditEvent.objects.filter(action__in=[Action.BREACH_READ_REFUSED, Action.BREACH_WRITE_REFUSED],
                                                 actor_id=self.officer.pk).values_list("detail", flat=True))
        self.assertEqual([json.loads(r)["reason"] for r in reasons], ["kept_apart", "kept_apart"])

    def test_with_no_chair_the_vice_chair_is_told(self):
        self.chair.is_active = False
        self.chair.save()
        found = gate.access_breach(self.coordinator, self.breach.pk, write=True)
        services.do_escalate(self.coordinator, self.p["pack"], found)
        self.assertTrue(Notice.objects.filter(user=self.vice, object_id=self.breach.pk).exists())

    def test_even_as_a_data_controller_or_the_person_who_recorded_it(self):
        self.officer.role = "complaints_officer"
        with self.assertRaises(services.BreachError) as raised:
            record(self.officer, self.p["pack"])
        self.assertEqual(raised.exception.status, 403)
        # A breach the officer somehow recorded (written straight to the table) still stays shut.
        from confide.breaches.models import Breach
        Breach.objects.filter(pk=self.breach.pk).update(recorded_by=self.officer)
        with self.assertRaises(Http404):
            gate.access_breach(self.officer, self.breach.pk)

    def test_escalating_to_the_end_of_the_chain_never_tells_the_officer(self):
        found = gate.access_breach(self.coordinator, self.breach.pk, write=True)
        services.do_escalate(self.coordinator, self.p["pack"], found)
        self.breach.refresh_from_db()
        self.assertEqual(self.breach.step, 2)
        self.assertTrue(Notice.objects.filter(user=self.chair, object_id=self.breach.pk).exists())
        # "The Chair of the MC, or failing that the Vice Chair": the chair is there, so the vice chair is
        # not told (though they may read and act on it, should the chair be away).
        self.assertFalse(Notice.objects.filter(user=self.vice, object_id=self.breach.pk).exists())
        self.assertTrue(gate.access_breach(self.vice, self.breach.pk, write=True).may_act)
        self.assertFalse(Notice.objects.filter(user=self.officer).exists())
        told = [json.loads(e.detail).get("told", []) for e in AuditEvent.objects.filter(
            action__in=[Action.BREACH_RECORDED, Action.BREACH_ESCALATED])]
        self.assertTrue(all(self.officer.pk not in t for t in told))
        # The last step has nowhere further to go.
        found = gate.access_breach(self.chair, self.breach.pk, write=True)
        self.assertFalse(gate.may_escalate(self.chair, found.breach, self.p["pack"]))
        with self.assertRaises(services.BreachError):
            services.do_escalate(self.chair, self.p["pack"], found)

    def test_only_the_step_reached_escalates(self):
        found = gate.access_breach(self.chair, self.breach.pk, write=True)
        with self.assertRaises(services.BreachError):
            services.do_escalate(self.chair, self.p["pack"], found)  # step 1 is the Centre Coordinator's

    def test_the_chair_is_briefed_on_the_facts_only(self):
        found = gate.access_breach(self.chair, self.breach.pk)
        self.assertTrue(found.facts_only)
        self.assertFalse(gate.access_breach(self.coordinator, self.breach.pk).facts_only)


class WhoIsToldTests(ConfideTestCase):
    """Derbyshire: "the worker discusses with their line manager": the recorder's own line manager is
    told, not every line manager; and a step nobody holds falls to the data controller."""

    pack_name = "derbyshire"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from confide.staffing.models import PersonnelFile

        cls.theirs = person(cls.p, "line_manager", "lm_theirs")
        cls.another = person(cls.p, "line_manager", "lm_another")
        PersonnelFile.objects.create(person=cls.p["assigned"], line_manager=cls.theirs)

    def told(self, breach) -> set[int]:
        return set(Notice.objects.filter(object_type="breach", object_id=breach.pk).values_list("user_id", flat=True))

    def test_the_recorder_s_own_line_manager_is_told_not_every_line_manager(self):
        breach = record(self.p["assigned"], self.p["pack"])
        self.assertEqual(self.told(breach), {self.theirs.pk})
        self.assertTrue(gate.access_breach(self.another, breach.pk).may_act, "the role still reads and acts")

    def test_someone_with_no_personnel_file_is_answered_by_everyone_in_the_role(self):
        breach = record(self.p["same_team"], self.p["pack"])
        self.assertTrue({self.theirs.pk, self.another.pk} <= self.told(breach))

    def test_a_step_nobody_holds_falls_to_the_data_controller(self):
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(role="line_manager").update(is_active=False)
        breach = record(self.p["assigned"], self.p["pack"])
        controllers = {u.pk for u in get_user_model().objects.filter(is_active=True)
                       if u.role_kind in vocab.AUDITOR_KINDS}
        self.assertTrue(controllers)
        self.assertEqual(self.told(breach), controllers)
