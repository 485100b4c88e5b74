"""The `access` question asked of a whole list at once: partial evaluation of a pack.

A list of clients cannot ask the engine about every case in the organisation one by one (a list for
a purpose that permits nothing would page through the whole team to find so). What an `access`
answer depends on, once the person (role, whether they have a team), the purpose, the kind of record
and its seal are fixed, is three facts about the case alone: whether it is in the person's team,
whether they work on it, and its service. Each has a handful of values, so the engine is simply
asked about every combination, through `decide()` like any other request, and the answers become a
filter the database can apply: which services open in one's own team and elsewhere, assigned or not.

Nothing here is a second reading of the pack: each combination's answer is `decide()`'s, so the
filter and the per-case decision cannot disagree (tests/records/test_list_filter.py holds them
together on random data for every pack, role and purpose). The per-case decision and its audit
event still happen when a file is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import PolicyError
from .vocab import LIST_PURPOSES

_MY_TEAM, _OTHER_TEAM = "team-a", "team-b"  # stand-ins: only whether the two teams are equal matters


@dataclass(frozen=True)
class AccessFilter:
    """The services whose cases open (`permit`) or open only by breaking the glass
    (`permit_if_approved`), by (in the person's team, assigned to the case). A case whose service is
    not in the pack is refused, as `decide()` refuses it."""

    permit: dict[tuple[bool, bool], frozenset[str]]
    approvable: dict[tuple[bool, bool], frozenset[str]]

    def services(self, *, same_team: bool, assigned: bool) -> frozenset[str]:
        return self.permit[(same_team, assigned)]

    def permits(self, *, service: str, same_team: bool, assigned: bool) -> bool:
        return service in self.permit[(same_team, assigned)]

    @property
    def permits_any(self) -> bool:
        return any(self.permit.values())

    @property
    def reaches_beyond_own_cases(self) -> bool:
        """Some case the person does not work on could be opened for this purpose, outright or by
        breaking the glass."""
        return any(self.permit[(same_team, False)] or self.approvable[(same_team, False)]
                   for same_team in (True, False))

    @property
    def lists_team_cases(self) -> bool:
        """Some case in the person's team that they do not work on is listed for this purpose."""
        return bool(self.permit[(True, False)])


def _request(role: str, has_team: bool, purpose: str, kind: str, sealed: bool, service: str,
             same_team: bool, assigned: bool) -> dict[str, Any]:
    actor: dict[str, Any] = {"role": role, "assigned_to_case": assigned}
    if has_team:
        actor["team"] = _MY_TEAM
    return {"action": "access", "actor": actor, "purpose": purpose,
            "record": {"kind": kind, "service": service, "team": _MY_TEAM if same_team else _OTHER_TEAM,
                       "sealed": sealed}}


def access_filter(pack: Any, *, role: str, has_team: bool, purpose: str, kind: str = "identity",
                  sealed: bool = False) -> AccessFilter:
    """The pack's `access` answers for this person and purpose, over every case at once. A request
    the engine will not answer (a role or purpose the pack does not have) permits nothing."""
    permit: dict[tuple[bool, bool], set[str]] = {}
    approvable: dict[tuple[bool, bool], set[str]] = {}
    for same_team in (True, False):
        for assigned in (True, False):
            permit[(same_team, assigned)], approvable[(same_team, assigned)] = set(), set()
            if same_team and not has_team:
                continue  # a person with no team is in nobody's team
            for service in pack.services:
                try:
                    answer = pack.decide(_request(role, has_team, purpose, kind, sealed, service, same_team,
                                                  assigned))
                except PolicyError:
                    continue
                if answer["decision"] == "permit":
                    permit[(same_team, assigned)].add(service)
                elif answer["decision"] == "permit_if_approved":
                    approvable[(same_team, assigned)].add(service)
    return AccessFilter({k: frozenset(v) for k, v in permit.items()},
                        {k: frozenset(v) for k, v in approvable.items()})


def purposes_outside_own_cases(pack: Any, *, role: str, has_team: bool) -> list[str]:
    """The pack's purposes for which this person could open a file they do not work on (outright
    or by breaking the glass), in the vocabulary's order: what the form for opening a file by its
    number offers them. A purpose that can open nothing is not offered."""
    return [purpose for purpose in pack.purposes
            if pack.access_filter(role=role, has_team=has_team, purpose=purpose,
                                  kind="case_notes").reaches_beyond_own_cases]


def purposes_for_lists(pack: Any, *, role: str, has_team: bool) -> list[str]:
    """Of the purposes a list is asked for (vocab.LIST_PURPOSES), those that list anything for this
    person: direct support (their own cases) if it opens any, and a team purpose only if it lists
    some case of their team beyond their own."""
    offered = []
    for purpose in LIST_PURPOSES:
        if purpose not in pack._purposes:
            continue
        found = pack.access_filter(role=role, has_team=has_team, purpose=purpose)
        if found.lists_team_cases if purpose != "direct_support" else found.permits_any:
            offered.append(purpose)
    return offered
