"""One rule holds everywhere: whatever Confide itself tells a worker to pass on (the notices of
confide.policy.notifications: DVIP's partner notifications and its threat to a named person, Day-Mer's
maternity notice, Home-Start's trustees told of a police or court request) is a disclosure the pack
permits, citing the same clause. Every trigger is found by walking the structures of notifications.py,
so a notice added there is checked here without anyone listing it."""

from __future__ import annotations

import pytest

from confide.policy import load_pack, pack_names
from confide.policy import notifications as n

# Notices that pass nothing outside the organisation, and to whom they go instead. A notice of any
# other kind must say what it discloses (its `recipients`, `data`, `grounds`).
NOT_A_DISCLOSURE = {
    "notify_line_manager": "the worker's line manager, inside the organisation",
    "family_informed": "the family the information is about (Home-Start 1.5)",
}


def _subject(pack_name: str, role: str, service: str | None = None) -> dict:
    """The subject of a notice: the role, in the pack's service for that role."""
    if service is None:
        pack = load_pack(pack_name)
        service = next((s.name for s in pack.services.values() if role in s.subject_roles), None)
    return {"role": role, **({"service": service} if service else {})}


def _triggers() -> list[tuple[str, str, dict, n.Notice]]:
    """(pack, what triggers it, subject, notice) for every notice notifications.py can give."""
    out = []
    for (pack, service, role), stages in n.STAGE_NOTICES.items():
        for status in stages:
            for notice in n.on_case_stage(pack, service, role, status, before=""):
                out.append((pack, f"case stage {status}", _subject(pack, role, service), notice))
    for pack, reports in n.REPORTS.items():
        for name, report in reports.items():
            for role in sorted(report.subject_roles):
                for notice in report.notices:
                    out.append((pack, f"report {name}", _subject(pack, role), notice))
    for pack, by_obligation in n.OBLIGATION_NOTICES.items():
        spec = load_pack(pack).spec
        for obligation, notice in by_obligation.items():
            for service in spec.services.values():
                for role in service.subject_roles:
                    out.append((pack, f"obligation {obligation}", _subject(pack, role, service.name), notice))
    for pack in pack_names():
        for kind in sorted(load_pack(pack).spec.vocab["recipient_kinds"]):
            for notice in n.on_sent(pack, kind):
                out.append((pack, f"sent to {kind}", _subject(pack, "service_user"), notice))
    return out


TRIGGERS = _triggers()


def test_the_triggers_are_found():
    """Every structure of notifications.py is walked: the DVIP stages and reports, Day-Mer's report,
    Home-Start's obligation."""
    kinds = {(pack, notice.kind) for pack, _, _, notice in TRIGGERS}
    assert {("dvip", "partner_notification"), ("dvip", "inform_person_threatened"),
            ("day_mer", "inform_maternity_social_work"), ("home_start", "inform_trustees")} <= kinds
    assert {pack for pack, _, _, _ in TRIGGERS} <= set(pack_names())


@pytest.mark.parametrize(("pack", "trigger", "subject", "notice"),
                         [pytest.param(*t, id=f"{t[0]}-{t[1]}-{t[2]['role']}-{t[3].kind}") for t in TRIGGERS])
def test_what_confide_tells_a_worker_to_pass_on_the_pack_permits_citing_the_same_clause(pack, trigger, subject,
                                                                                           notice):
    if not notice.recipients:
        assert notice.kind in NOT_A_DISCLOSURE, (
            f"{pack} {trigger}: notice {notice.kind!r} has the worker tell someone but does not say who, "
            "what and on what ground (Notice.recipients, data, grounds)")
        return
    engine = load_pack(pack)
    for request in notice.requests(subject):
        answer = engine.decide(request)
        cited = [r["clause"] for r in answer["reasons"]]
        assert answer["decision"] == "permit", (pack, trigger, request["recipient"], answer["decision"], cited)
        assert notice.clause in cited, (pack, trigger, request["recipient"], notice.clause, cited)


@pytest.mark.parametrize("pack", sorted(n.OBLIGATION_NOTICES))
def test_an_obligation_that_has_something_passed_on_comes_from_the_clause_of_its_notice(pack):
    """The obligation is in the pack's answers, and an answer carrying it cites the notice's clause
    (Home-Start 10.2: the trustees are told of every police or court request, granted or refused)."""
    spec = load_pack(pack).spec
    for obligation, notice in n.OBLIGATION_NOTICES[pack].items():
        carriers = [r for r in [*spec.disclose_rules, *spec.disclose_always] if obligation in r.obligations]
        assert carriers, f"no rule of {pack} carries {obligation}"
        assert any(r.clause == notice.clause for r in carriers), (obligation, [r.clause for r in carriers])
