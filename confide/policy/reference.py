"""The reference evaluator: the normative reading of a policy pack.

This module is the specification of what the engine decides. Each condition of a pack is compiled
into a plain predicate over the request tuple (`compile_disclose_condition`,
`compile_access_condition`), and `Reference` evaluates the rules one at a time, in pack order,
writing each answer afresh: `_decide_disclose_reference` ("a permit and no deny": prohibitions,
then the first permitting rule, then the refusals and the default; the `always` entries on top),
`_decide_access_reference` (trustees and sealed records, then the grants, then break-glass, then the
default), and the only evaluators of `subject_access` (`_decide_sar`) and `retain`
(`_decide_retain`), which go rule by rule too. Whether consent is valid, and why not, is read here.

The fast path (`fast.py`: bitmask tables, memoised answer pieces and the closures `decide` runs) is
held to this module: on every valid request it must give exactly the answer this one gives. Where
the two differ, this one is right. tests/policy/test_properties.py checks that on random requests
for every pack; see "Two evaluators" in README.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from . import dates, vocab
from .answers import Answer, Answers, FrozenDict, FrozenList, _template
from .errors import RequestError
from .request import (
    _EMPTY,
    A_ASSIGNED,
    A_KIND,
    A_OWN_SERVICE,
    A_PURPOSE,
    A_ROLE,
    A_SAME_TEAM,
    A_SEALED,
    A_SERVICE,
    D_AGE,
    D_ANON,
    D_CAPACITY,
    D_CHANNEL,
    D_CONSENT,
    D_DATA,
    D_GROUNDS,
    D_PURPOSE,
    D_RECIPIENT,
    D_RELATIONSHIP,
    D_REQUESTER,
    D_ROLE,
    D_SERVICE,
    D_VALID,
    D_VERBAL,
    D_VERIFIED,
)
from .schema import Role, Rule

_RANK = vocab.DECISION_RANK

# --- conditions as predicates over the request tuple ---------------------------------------------
Pred = Callable[[tuple], bool]


def _in(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: r[idx] in words


def _overlap(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: not words.isdisjoint(r[idx])


def _subset(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: r[idx] <= words


def _is(idx: int, value: Any) -> Pred:
    return lambda r: r[idx] is value


def _below(idx: int, limit: int) -> Pred:
    return lambda r: r[idx] is not None and r[idx] < limit


def _all(preds: list[Pred]) -> Pred:
    if not preds:
        return lambda r: True
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) and b(r)
    if len(preds) == 3:
        a, b, c = preds
        return lambda r: a(r) and b(r) and c(r)
    tup = tuple(preds)

    def conj(r: tuple) -> bool:
        for p in tup:
            if not p(r):
                return False
        return True
    return conj


def compile_disclose_condition(cond: dict[str, Any]) -> Pred:
    preds: list[Pred] = []
    for key, value in cond.items():
        if key == "subject_role":
            preds.append(_in(D_ROLE, value))
        elif key == "service":
            preds.append(_in(D_SERVICE, value))
        elif key == "recipient":
            preds.append(_in(D_RECIPIENT, value))
        elif key == "relationship":
            preds.append(_in(D_RELATIONSHIP, value))
        elif key == "data":
            preds.append(_overlap(D_DATA, value))
        elif key == "data_only":
            preds.append(_subset(D_DATA, value))
        elif key == "purpose":
            preds.append(_in(D_PURPOSE, value))
        elif key == "grounds":
            preds.append(_overlap(D_GROUNDS, value))
        elif key == "grounds_only":
            preds.append(_subset(D_GROUNDS, value))
        elif key == "channel":
            preds.append(_in(D_CHANNEL, value))
        elif key == "consent":
            preds.append(_is(D_VALID if value == "valid" else D_VERBAL, True))
        elif key == "anonymised":
            preds.append(_is(D_ANON, value))
        elif key == "identity_verified":
            preds.append(_is(D_VERIFIED, value))
        elif key == "requester_role":
            preds.append(_in(D_REQUESTER, value))
        elif key == "subject_under_age":
            preds.append(_below(D_AGE, value))
        else:  # pragma: no cover - the schema admits no other key
            raise AssertionError(key)
    return _all(preds)


def compile_access_condition(cond: dict[str, Any], roles: dict[str, Role]) -> Pred:
    preds: list[Pred] = []
    for key, value in cond.items():
        if key == "kinds":
            names = frozenset(r.name for r in roles.values() if r.kind in value)
            preds.append(_in(A_ROLE, names))
        elif key == "roles":
            preds.append(_in(A_ROLE, value))
        elif key == "assigned":
            preds.append(_is(A_ASSIGNED, value))
        elif key == "same_team":
            preds.append(_is(A_SAME_TEAM, value))
        elif key == "own_service":
            preds.append(_is(A_OWN_SERVICE, value))
        elif key == "purpose":
            preds.append(_in(A_PURPOSE, value))
        elif key == "record_kind":
            preds.append(_in(A_KIND, value))
        elif key == "service":
            preds.append(_in(A_SERVICE, value))
        else:  # pragma: no cover
            raise AssertionError(key)
    return _all(preds)


def grant_roles(cond: dict[str, Any], roles: dict[str, Role]) -> frozenset[str]:
    """The roles an access grant can apply to: those its `kinds` and `roles` admit (every role when it
    names neither), but a trustee-kind role only where the grant names it, by `roles` or with
    `kinds: [trustee]` (the schema then insists on a purpose): a grant written for staff never
    reaches a trustee."""
    out = set()
    for name, role in roles.items():
        if ("kinds" in cond and role.kind not in cond["kinds"]) or ("roles" in cond and name not in cond["roles"]):
            continue
        if role.kind == "trustee" and not ("trustee" in cond.get("kinds", ()) or name in cond.get("roles", ())):
            continue
        out.add(name)
    return frozenset(out)


def _sar_match(cond: dict[str, Any], role: str, service: str | None, contains: frozenset[str]) -> bool:
    if "requester_role" in cond and role not in cond["requester_role"]:
        return False
    if "service" in cond and service not in cond["service"]:
        return False
    return not ("record_contains" in cond and cond["record_contains"].isdisjoint(contains))


# --- the subject-access clock ---------------------------------------------------------------------
# UK GDPR Art 12(3) and Art 12A, as the Data (Use and Access) Act 2025 made them (DPA 2018 s 54 says the
# same for Part 3): the answer is due within one month beginning with "the relevant time", the latest
# of when the request is received, when the information asked for to confirm identity (Art 12(6)) is
# received and when any fee is paid; the controller may ask for further information it reasonably
# requires to identify the information or processing the request concerns, and "the period beginning
# with the day on which the controller makes the request and ending with the day on which the
# controller receives the information does not count"; it may extend the period by two further months
# where that is necessary because of the complexity or number of requests, by telling the requester,
# with the reasons, before the end of the first month (which the pause does not count towards either).
_LAW_MONTH = ("UK GDPR Art 12(3) and 12A: the answer is due within one calendar month beginning with the "
              "latest of the day the request was received, the day the requester's identity or authority "
              "to act was confirmed and the day any fee was paid")


def _sar_clock_answer(received: dt.date, clock: tuple) -> tuple[str | None, dict[str, Any], list[str]]:
    """(statutory_due_on, the `clock` object, warnings) for a request that carries clock fields."""
    starts, pauses, ext = clock
    waiting = [name for name, day in starts if day is None]
    starts_on, started_by = received, "received_on"
    for name, day in starts:
        if day is not None and day > starts_on:
            starts_on, started_by = day, name
    basis = [f"{_LAW_MONTH}."]
    warnings: list[str] = []
    out: dict[str, Any] = {"status": "running", "starts_on": None, "waiting_for": waiting, "paused_since": None,
                           "paused_days": 0, "extended_by_months": 0, "tell_extension_by": None, "basis": basis}
    if waiting:
        out["status"] = "not_started"
        basis.append("The clock has not started: waiting for " + ", ".join(waiting) + ".")
        return None, out, warnings
    out["starts_on"] = starts_on.isoformat()
    basis[0] = f"{_LAW_MONTH}: it begins on {starts_on.isoformat()} ({started_by})."
    done = [(a, b) for a, b in pauses if b is not None]
    pending = sorted(a for a, b in pauses if b is None)
    first_end = dates.sar_period_end(starts_on, 1, done)
    first_due = dates.next_working_day(first_end)
    # A clarification still awaited that was asked within the first month keeps the first month open.
    open_pause = next((a for a in pending if max(a, starts_on) <= first_end), None)
    months = 1
    if ext is not None:
        n, told = ext
        if told <= first_due or (open_pause is not None and told >= open_pause):
            months += n
            out["extended_by_months"] = n
            basis.append(f"UK GDPR Art 12A: extended by {n} further month{'s' if n > 1 else ''}, the requester "
                         f"having been told on {told.isoformat()}, within the first month.")
        else:
            warnings.append(f"UK GDPR Art 12A: the extension does not count: the requester was told on "
                            f"{told.isoformat()}, but must be told, with the reasons, within the first month "
                            f"(by {first_due.isoformat()}).")
    end = dates.sar_period_end(starts_on, months, done)
    out["paused_days"] = (end - dates.add_months(starts_on, months)).days
    if out["paused_days"]:
        basis.append(f"UK GDPR Art 12A: {out['paused_days']} day(s) from asking for clarification to receiving it, "
                     "both included, do not count.")
    for asked in sorted({a for a, _ in done} | set(pending)):
        if max(asked, starts_on) > end:
            warnings.append(f"UK GDPR Art 12A: the clarification asked for on {asked.isoformat()} was asked after "
                            "the time limit had ended, so it does not stop the clock.")
    paused = next((a for a in pending if max(a, starts_on) <= end), None)
    if paused is not None:
        out["status"] = "paused"
        out["paused_since"] = paused.isoformat()
        basis.append(f"UK GDPR Art 12A: the clock is paused since {paused.isoformat()}, waiting for the "
                     "clarification asked for; it runs again from the day after the answer is received.")
        return None, out, warnings
    if months == 1:
        out["tell_extension_by"] = first_due.isoformat()
    due = dates.next_working_day(end)
    basis.append(f"Due on {due.isoformat()}: the same date {('one', 'two', 'three')[months - 1]} "
                 f"month{'s' if months > 1 else ''} on (or that "
                 "month's last day), plus any days that do not count, moved to the next working day where it "
                 "falls on a weekend or an England and Wales bank holiday.")
    return due.isoformat(), out, warnings


class Reference(Answers):
    """The rules of a pack evaluated one at a time (a mixin of `Pack`; `fast.Fast` builds on it)."""

    # -- compiling the conditions -------------------------------------------------------------
    def _compile_disclose(self) -> None:
        spec = self.spec
        self._consent_requires = spec.consent["requires"]
        # A subject role's further requirements (DVIP Appendix B: a victim's consent is in writing).
        self._consent_by_role: dict[str | None, dict[str, Any]] = dict(spec.consent.get("subject_roles") or {})
        self._prohibitions = [(r, compile_disclose_condition(r.when),
                               compile_disclose_condition(r.unless) if r.unless else None) for r in spec.prohibitions]
        self._disclose_rules = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_rules]
        # Refusals: which clause refuses when no rule permits (the first that holds, else the default).
        # Always: obligations (and their clause) added to every answer whose request they hold for.
        self._refusals = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_refusals]
        self._always = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_always]

    def _compile_access(self) -> None:
        acc = self.spec.access
        roles = self.spec.roles
        self._grant_roles = [grant_roles(g.when, roles) for g in acc["grants"]]
        self._grants = [(g, _all([_in(A_ROLE, reach), compile_access_condition(g.when, roles)]))
                        for g, reach in zip(acc["grants"], self._grant_roles, strict=True)]
        # Trustee-kind roles a grant names: only these reach the grants; every other trustee is
        # refused before any grant, as a pack without trustee grants refuses them all.
        trustees = frozenset(name for name, role in roles.items() if role.kind == "trustee")
        self._trustees_granted = trustees & frozenset().union(*self._grant_roles)
        self._trustees_refused = trustees - self._trustees_granted
        self._sealed_open = acc["sealed"].extra["open_to"]
        self._bg = acc["break_glass"]

    # -- consent ------------------------------------------------------------------------------
    def consent_requirements(self, role: str | None) -> tuple[frozenset[str], str]:
        """What valid consent needs for a subject of this role (`explicit`, `written`, ...), and the
        clause that says so: the role's own clause where the pack adds to its requirements for that
        role (DVIP Appendix B: a victim's consent in writing), otherwise the pack's."""
        extra = self._consent_by_role.get(role)
        return self._consent_requirements(role), (extra["clause"] if extra else self.spec.consent["clause"])

    def _consent_requirements(self, role: str | None) -> frozenset[str]:
        extra = self._consent_by_role.get(role)
        return self._consent_requires | extra["requires"] if extra else self._consent_requires

    def _consent_valid(self, c: tuple, capacity: bool, role: str | None = None, waive: frozenset[str] = _EMPTY) -> bool:
        """Whether consent `c` meets the pack's requirements for a subject of this role, leaving out
        the requirements in `waive` (`consent: verbal` waives `written`)."""
        if c[0] != "given":
            return False
        req = self._consent_requirements(role) - waive
        if "explicit" in req and not c[1]:
            return False
        if "written" in req and not c[2]:
            return False
        if "covers_recipient" in req and not c[3]:
            return False
        if "covers_data" in req and not c[4]:
            return False
        return not ("capacity" in req and not capacity)

    @staticmethod
    def _problems(c: tuple, capacity: bool, req: frozenset[str]) -> list[str]:
        if c[0] != "given":
            return [f"consent is {vocab.label(c[0])}" if c[0] != "not_sought" else "consent has not been sought"]
        out = []
        for flag, idx, words in (("explicit", 1, "consent is not explicit"), ("written", 2, "consent is not in writing"),
                                 ("covers_recipient", 3, "consent does not cover this recipient"),
                                 ("covers_data", 4, "consent does not cover this information")):
            if flag in req and not c[idx]:
                out.append(words)
        if "capacity" in req and not capacity:
            out.append("the subject's capacity to consent is not confirmed")
        return out

    def consent_reasons(self, c: tuple, capacity: bool, role: str | None) -> list[dict[str, str]]:
        """Why consent is not valid, as reasons: what the pack's general requirements miss cites the
        consent clause; what a subject role's further requirements miss cites that role's clause
        (DVIP: a victim's consent not in writing, Appendix B)."""
        c_spec = self.spec.consent
        out = []
        general = self._problems(c, capacity, self._consent_requires)
        if general:
            out.append({"pack": self.name, "clause": c_spec["clause"], "rule": "consent",
                        "text": "No valid consent: " + "; ".join(general) + "."})
        extra = self._consent_by_role.get(role)
        if extra and c[0] == "given":
            more = self._problems(c, capacity, extra["requires"] - self._consent_requires)
            if more:
                out.append({"pack": self.name, "clause": extra["clause"], "rule": "consent",
                            "text": "No valid consent: " + "; ".join(more) + ". " + extra["text"]})
        return out

    # -- disclose -----------------------------------------------------------------------------
    def _decide_disclose_reference(self, r: tuple) -> Answer:
        """The normative reading of `disclose`, rule by rule in pack order, each answer written afresh
        (no bitmask, no memoised piece): "a permit and no deny". Every prohibition whose `when` holds
        and whose `unless` does not refuses; otherwise the first rule whose `when` holds decides (a
        plain permit before a permit-if-approved); with none, the first refusal whose `when` holds,
        else the pack's default; then every `always` entry whose `when` holds adds its reason and
        obligations."""
        always = [rule for rule, when in self._always if when(r)]
        denies = [rule for rule, when, unless in self._prohibitions if when(r) and not (unless and unless(r))]
        if denies:
            ans = self._deny_answer(denies)
            return self._add_always(ans, always) if always else ans
        best: Rule | None = None
        for rule, when in self._disclose_rules:
            if when(r) and (best is None or _RANK[rule.decision] > _RANK[best.decision]):
                best = rule
                if rule.decision == "permit":
                    break
        if best is None:
            return self._build_default_answer(r)
        ans = self._build_permit_answer(best, r)
        return self._add_always(ans, always) if always else ans

    def _build_default_answer(self, r: tuple, *, with_always: bool = True) -> Answer:
        """The refusal when no rule permits, rule by rule: the first of the pack's `refusals` that holds,
        else its default; and (`with_always`) the pack's `always` entries that hold."""
        default = self.spec.disclose_default
        refusal = next((rule for rule, when in self._refusals if when(r)), None)
        reasons = [self.reason(refusal or default)]
        if not r[D_VALID] and not r[D_ANON]:
            reasons += self.consent_reasons(r[D_CONSENT], r[D_CAPACITY], r[D_ROLE])
        if r[D_GROUNDS]:
            reasons.append({"pack": self.name, "clause": default.clause, "rule": default.id,
                            "text": "No rule of this pack lets this information go to "
                                    f"{vocab.label(r[D_RECIPIENT])} on the ground(s) claimed: "
                                    + ", ".join(vocab.label(g) for g in sorted(r[D_GROUNDS])) + "."})
        ans = self._answer("deny", reasons, (), ["record_decision", *(refusal or default).obligations])
        ans["legal_basis"] = []
        ans["grounds"] = []
        ans["final"] = False  # consent, or a ground the pack accepts, could change this answer
        if with_always:
            always = [rule for rule, when in self._always if when(r)]
            if always:
                ans = self._add_always(ans, always)
        return ans

    # -- access -------------------------------------------------------------------------------
    def _decide_access_reference(self, r: tuple) -> Answer:
        """The normative reading of `access`, grant by grant, each answer written afresh. A trustee-kind
        role no grant names is refused, and so is everyone for a sealed record the pack does not open
        to them (a trustee always); otherwise the first grant whose conditions hold decides (a plain
        permit before a permit-if-approved); with none, a trustee is refused, the role kinds the pack
        lets break the glass may (permit-if-approved, flagged for review), and everyone else is refused."""
        kind = self._role_kind[r[A_ROLE]]
        if r[A_SEALED] or (kind == "trustee" and r[A_ROLE] not in self._trustees_granted):
            return self._build_access_preamble(r)  # type: ignore[return-value]  # answers every sealed or trustee request
        best: Rule | None = None
        for grant, when in self._grants:
            if when(r) and (best is None or _RANK[grant.decision] > _RANK[best.decision]):
                best = grant
                if grant.decision == "permit":
                    break
        return self._build_access_answer(best, r)

    def _build_access_preamble(self, r: tuple) -> Answer | None:
        """The answer before any grant is tried: a trustee refused, a sealed record opened or refused
        (None for a request that goes on to the grants)."""
        acc = self.spec.access
        if self._role_kind[r[A_ROLE]] == "trustee":
            ans = self._answer("deny", [self.reason(acc["trustees"])], (), ["record_decision"])
            ans["flag_for_review"] = False
            return ans
        if r[A_SEALED]:
            rule = acc["sealed"]
            if r[A_ROLE] in self._sealed_open:
                ans = self._answer("permit", [self.reason(rule)], (), ["record_decision", *rule.obligations])
            else:
                ans = self._answer("deny", [self.reason(rule)], (), ["record_decision"])
            ans["flag_for_review"] = False
            return ans
        return None

    def _build_access_answer(self, best: Rule | None, r: tuple) -> Answer:
        """The answer once the grants are tried: the grant `best`, or with none, the trustee refused,
        break-glass for the role kinds the pack lists, or the default refusal."""
        if best is not None:
            ans = self._answer(best.decision, [self.reason(best)], best.approvals, best.obligations)
            ans["flag_for_review"] = best.decision != "permit"
            return ans
        if self._role_kind[r[A_ROLE]] == "trustee":
            return self._build_access_preamble(r)  # type: ignore[return-value]  # answers every trustee request
        bg = self._bg
        if self._role_kind[r[A_ROLE]] in bg.extra["kinds"] and r[A_KIND] not in bg.extra["exclude_record_kinds"]:
            ans = self._answer("permit_if_approved", [self.reason(bg)], bg.approvals,
                               ["record_reasons", "flag_for_review", *bg.obligations])
            ans["flag_for_review"] = True
            return ans
        ans = self._answer("deny", [self.reason(self.spec.access["default"])], (), ["record_decision"])
        ans["flag_for_review"] = False
        return ans

    # -- subject access -----------------------------------------------------------------------
    def _decide_sar(self, key: tuple) -> Answer:
        received, role, service, contains, clock = key
        # The static part depends on the request only through which of the pack's rules match.
        tkey = ("subject_access", tuple(i for i, rule in enumerate(self.spec.subject_access["rules"])
                                        if _sar_match(rule.when, role, service, contains)))
        static = self._templates.get(tkey)
        if static is None:
            static = self._remember(tkey, _template(self._sar_static(role, service, contains)))
        deadline = static["_deadline"]
        try:
            if deadline["unit"] == "days":
                due = received + dt.timedelta(days=deadline["amount"])
            else:
                due = dates.next_working_day(dates.add_months(received, deadline["amount"]))
            statutory = dates.statutory_sar_due(received)
            clocked = None if clock is None else _sar_clock_answer(received, clock)
        except (OverflowError, ValueError):  # only past 9999-12-31, which `_date` keeps far away
            raise RequestError("received_on", "too far in the future to compute a due date") from None
        warnings = []
        # The pack's deadline is compared with one month from receipt, as it always was: it is the pack's
        # departure from the law that the warning is about, whatever the clock of this request.
        if due != statutory:
            later = due > statutory
            warnings.append(f"{static['_deadline_clause']}: the pack's deadline of {static['_said']} gives "
                            f"{due.isoformat()}; UK GDPR Art 12(3) requires an answer within one calendar month, "
                            f"by {statutory.isoformat()}" + (" — answering on the pack's date would be late."
                                                             if later else "."))
        warnings += static["_warnings"]
        ans = {k: v for k, v in static.items() if k[0] != "_"}
        ans["due_on"] = due.isoformat()
        ans["statutory_due_on"] = statutory.isoformat()
        if clocked is not None:
            ans["statutory_due_on"], ans["clock"], late = clocked
            warnings += late
        ans["warnings"] = warnings
        return ans

    def _sar_static(self, role: str, service: str | None, contains: frozenset[str]) -> dict[str, Any]:
        """Everything in a subject-access answer that does not depend on the date received."""
        sa = self.spec.subject_access
        deadline = sa["deadline"].extra
        deadline_rule = sa["deadline"]
        fee = sa["fee"].extra["amount"] if sa["fee"] else None
        fee_rule = sa["fee"]
        reasons = [self.reason(sa["right"])]
        withhold: dict[str, list[dict[str, str]]] = {}
        procedure: list[str] = []
        warnings: list[str] = []
        for rule in sa["procedure"]:
            if rule.extra["step"] not in procedure:
                procedure.append(rule.extra["step"])
                reasons.append(self.reason(rule))
        for rule in sa["rules"]:
            if not _sar_match(rule.when, role, service, contains):
                continue
            reasons.append(self.reason(rule))
            for cat in rule.extra.get("withhold", ()):
                withhold.setdefault(cat, []).append(self.reason(rule))
            for step in rule.extra.get("procedure", ()):
                if step not in procedure:
                    procedure.append(step)
            if "deadline" in rule.extra:
                deadline, deadline_rule = rule.extra["deadline"], rule
            if "fee" in rule.extra:
                fee, fee_rule = rule.extra["fee"], rule
            if "warning" in rule.extra:
                warnings.append(f"{rule.clause}: {rule.extra['warning']}")
        if deadline["unit"] == "days":
            said = f"{deadline['amount']} days"
        else:
            said = f"{deadline['amount']} calendar month" + ("s" if deadline["amount"] > 1 else "")
        reasons.insert(1, self.reason(deadline_rule, f"{deadline_rule.text} Deadline in the pack: {said}."))
        if fee is not None:
            reasons.append(self.reason(fee_rule, f"{fee_rule.text} Fee in the pack: {fee}."))
            warnings.append(f"{fee_rule.clause}: the pack charges {fee}; under UK GDPR Art 12(5) and 15(3) a "
                            "subject-access request is free in most cases (a reasonable fee only for manifestly "
                            "unfounded or excessive requests, or further copies).")
        ans = self._answer("permit", reasons, (), ["record_decision"])
        ans["fee"] = fee
        ans["withhold"] = [{"category": c, "reasons": rs} for c, rs in withhold.items()]
        ans["procedure"] = procedure
        ans.update(_deadline=deadline, _deadline_clause=deadline_rule.clause, _said=said, _warnings=warnings)
        return ans

    # -- retention ----------------------------------------------------------------------------
    def _decide_retain(self, key: tuple) -> Answer:
        """Assembled from frozen pieces (each rule's reason, the pack, the obligations) built once."""
        kind, service, closed, flags = key
        ret = self.spec.retain
        pieces = self._retain_pieces
        if pieces is None:
            pieces = self._retain_pieces = {
                "default": FrozenDict(self.reason(ret["default"])), "pack": FrozenDict(self._pack_ref),
                "obligations": FrozenList(["record_decision"]), "none": FrozenList(),
                "rules": [(rule, FrozenDict(self.reason(rule)), FrozenList(rule.extra.get("keep_only", ())))
                          for rule in ret["rules"]]}
        found = None
        for candidate in pieces["rules"]:
            w = candidate[0].when
            if "kind" in w and kind not in w["kind"]:
                continue
            if "service" in w and service not in w["service"]:
                continue
            if "flags" in w and w["flags"].isdisjoint(flags):
                continue
            found = candidate
            break
        if found is None:
            return {"decision": "permit", "reasons": FrozenList([pieces["default"]]), "approvals": pieces["none"],
                    "obligations": pieces["obligations"], "pack": pieces["pack"], "destroy_on": None,
                    "keep_only": pieces["none"], "action": "review"}
        rule, reason, keep_only = found
        action = rule.extra["action"]
        destroy_on = None
        reasons = [reason]
        if "period" in rule.extra and closed is not None:
            unit, amount = rule.extra["period"]
            try:
                if unit == "years":
                    destroy_on = dates.add_years(closed, amount)
                elif unit == "months":
                    destroy_on = dates.add_months(closed, amount)
                else:
                    destroy_on = closed + dt.timedelta(days=amount)
            except (OverflowError, ValueError):  # only past 9999-12-31, which `_date` keeps far away
                raise RequestError("record.closed_on", "too far in the future to compute a destruction date") \
                    from None
        elif action == "return_to_sender":
            destroy_on = closed
        elif closed is None and action == "destroy":
            reasons.append(FrozenDict({"pack": self.name, "clause": rule.clause, "rule": rule.id,
                                       "text": "The record is still open: the retention period starts when it is "
                                               "closed."}))
        if "legal_hold" in flags:
            reasons.insert(0, FrozenDict({"pack": self.name, "clause": ret["default"].clause, "rule": "legal_hold",
                                          "text": "A legal hold is in force: nothing is destroyed until it is "
                                                  "lifted."}))
            destroy_on = None
            action = "review"
        decision = "deny" if rule.extra["action"] == "return_to_sender" else "permit"
        return {"decision": decision, "reasons": FrozenList(reasons), "approvals": pieces["none"],
                "obligations": pieces["obligations"], "pack": pieces["pack"],
                "destroy_on": destroy_on.isoformat() if destroy_on else None, "keep_only": keep_only, "action": action}
