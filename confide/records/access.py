"""The one gate to client data: every reason Confide opens or refuses a client's file.

Every read of a client's records for a person goes through an `access_*` function here, or a list
below. Each asks the policy engine (one request, built by `access_request`), writes the audit event,
permitted or refused, before anything is shown, and answers Http404 alike for "no such record" and
"not allowed", so an id reveals nothing. Rows are read by confide/records/rows.py, and only after the
engine has said yes (tests/records/test_one_gate.py holds that).

The reasons, in the order a reader meets them below:
0. Declarations and induction (issue 16): nobody reaches a client's records, by their own work, a
   list, a search or by breaking the glass, until the declarations their pack asks them to sign
   before access and their induction are current (confide.staffing.clearance). Refused before the
   engine is asked, with what is missing (NotCleared), and the refusal recorded.
1. The engine's answer for this person, purpose and case (policy contract, `access`): `permit`
   opens the case; `permit_if_approved` is break-glass, which opens only with a live BreakGlass the
   person made by stating a reason (confide.records.break_glass), waiting in a reviewer's queue;
   `deny`, or a request the engine will not answer (an unknown purpose, a role the pack no longer
   has), keeps it shut. A client with no case yet is asked about as their team's, nobody assigned.
2. No such client, case or entry: refused exactly as a forbidden one is.
3. Writing is work on the case: a purpose that only reads (supervision, advice, an audit, a
   subject access request) opens nothing for writing (vocab.WRITING_PURPOSES).
4. An entry opens only if its case did and the engine, asked about its kind of record and its seal,
   says so too (a sealed record opens only to the role the pack names; break-glass never reaches
   the kinds the pack keeps from it).
5. A list names only clients the engine would open for that purpose: the pack's rules for this
   person and purpose become a filter the database applies (confide.policy.filters), so a list
   shows no name, count or snippet of anyone else's case, and what it shows is recorded as read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from confide.accounts.asking import DENY, access_request, clauses, decide  # noqa: F401 -- the gate's, re-exported
from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import PolicyError
from confide.policy.vocab import (
    CASEWORK_KINDS,
    LINE_MANAGER_KINDS,
    MANAGER_KINDS,
    NAMELESS_KINDS,
    PERSONNEL_PURPOSES,
    WRITING_PURPOSES,
)
from confide.records import rows
from confide.records.identity import index_key, query_tokens, reveal_names, same_name
from confide.records.models import (
    BreakGlass,
    Case,
    Client,
    ClientCorrection,
    Document,
    Entry,
    EntryVersion,
    RelatedPerson,
    SafeContact,
)
from confide.staffing.clearance import NotCleared
from confide.staffing.clearance import missing as clearance_missing

# 0. Declarations and induction ---------------------------------------------------------------------

def _reaches_client_data(pack, role: str, has_team: bool) -> bool:
    """Whether the pack lets this role reach any client's records for any purpose (kept per pack)."""
    memo = pack.__dict__.setdefault("_confide_reaches_clients", {})
    key = (role, has_team)
    if key not in memo:
        found = False
        for purpose in sorted(set(pack._purposes) - set(PERSONNEL_PURPOSES)):
            try:
                if pack.access_filter(role=role, has_team=has_team, purpose=purpose).permits_any:
                    found = True
                    break
            except PolicyError:
                continue
        memo[key] = found
    return memo[key]


def purposes_reaching_clients(user) -> list[str]:
    """The purposes (other than direct support) for which the pack lets this person reach some
    client's records: what a file may be opened by number for (a spot check, an audit)."""
    pack = current_policy()
    found = []
    for purpose in sorted(set(pack._purposes) - set(PERSONNEL_PURPOSES) - {"direct_support"}):
        try:
            if pack.access_filter(role=user.role, has_team=user.team_id is not None, purpose=purpose).permits_any:
                found.append(purpose)
        except PolicyError:
            continue
    return found


def _answers_to_clearance(user) -> bool:
    """Everyone who may reach a client's records answers to their declarations. A trustee's kind
    (vocab.NAMELESS_KINDS) usually reads none at all: the engine refuses them everything, so their
    declaration (which the register shows) stands before nothing here. A trustee the pack does let
    in (Home-Start 8.3: the trustee responsible for spot-checking files) answers to it like staff."""
    if getattr(user, "role_kind", "") not in NAMELESS_KINDS:
        return True
    return _reaches_client_data(current_policy(), user.role, user.team_id is not None)


def require_cleared(user, action, purpose: str = "", *, object_type: str = "", object_id: int | str = "") -> None:
    """Refuse (NotCleared) a person whose declarations or induction are not current, before anything
    is read or the engine asked, and record the refusal: the number asked for, as the gate's other
    refusals record it, and which declarations are missing; no client beyond that."""
    if not _answers_to_clearance(user):
        return
    lacking = clearance_missing(user, timezone.localdate())
    if lacking:
        record_event(user, Action.CLEARANCE_REFUSED, object_type=object_type, object_id=object_id, purpose=purpose,
                     detail={"reason": "not_cleared", "action": str(action), "role": user.role,
                             "missing": [m.key for m in lacking]})
        raise NotCleared(lacking)


def answers_to_clearance(user) -> bool:
    """Whether the gate asks this person for their declarations and induction (point 0.)."""
    return _answers_to_clearance(user)


def is_cleared_now(user) -> bool:
    """Whether the gate would let this person past point 0 today (nothing recorded)."""
    return not _answers_to_clearance(user) or not clearance_missing(user, timezone.localdate())


# 1. The engine's answer ----------------------------------------------------------------------------

def case_decision(user, case: Case, record_kind: str, purpose: str, *, sealed: bool = False) -> dict[str, Any]:
    """The answer for this person reading this case's records of this kind."""
    return decide(access_request(user, purpose, record_kind, service=case.service, team=case.team.slug,
                                 assigned=rows.works_on(user, case), sealed=sealed))


def outside_decision(user, purpose: str) -> dict[str, Any]:
    """The answer for a file outside this person's work (no case of theirs, not their team's, not
    sealed), whoever's it is: break-glass turns on the role and the kind of record, never on whose
    file it is (policy contract, `access`). Nobody breaks the glass without their declarations (0.)."""
    require_cleared(user, Action.CLIENT_OPEN_OUTSIDE, purpose)
    return decide(access_request(user, purpose, "case_notes"))


def live_break_glass(user, client_id: int, purpose: str) -> BreakGlass | None:
    return (BreakGlass.objects.filter(user=user, client_id=client_id, purpose=purpose, expires_at__gt=timezone.now())
            .order_by("-created_at").first())


@dataclass
class Opening:
    """Which of a client's cases open for this person and purpose, the answer that opened them
    (or the refusal), and the BreakGlass, if the glass was broken to get there."""

    cases: list[Case]
    decision: dict[str, Any]
    break_glass: BreakGlass | None = None


def open_cases(user, client: Client, purpose: str, record_kind: str = "case_notes",
               cases: list[Case] | None = None, *, checked_clearance: bool = False) -> Opening:
    """The cases this person may read for this purpose (of `cases`, or else all the client's):
    those the engine permits outright, or, if none, those it permits with approval when a live
    BreakGlass says why. A client with no case is asked about as their team's, nobody assigned.
    Asked first, unless the caller did: is the person cleared (0.; break-glass comes this way)."""
    if not checked_clearance:
        require_cleared(user, Action.CLIENT_OPEN_OUTSIDE, purpose, object_type="client", object_id=client.pk)
    cases = list(client.cases.all()) if cases is None else cases
    if not cases:
        return Opening([], decide(access_request(user, purpose, record_kind, team=client.team.slug)))
    decisions = [(case, case_decision(user, case, record_kind, purpose)) for case in cases]
    permitted = [(case, decision) for case, decision in decisions if decision["decision"] == "permit"]
    if permitted:
        return Opening([case for case, _ in permitted], permitted[0][1])
    approvable = [(case, decision) for case, decision in decisions if decision["decision"] == "permit_if_approved"]
    if approvable:
        glass = live_break_glass(user, client.pk, purpose)
        return Opening([case for case, _ in approvable] if glass else [], approvable[0][1], glass)
    return Opening([], decisions[0][1])


@dataclass
class ClientAccess:
    """What the gate let this person read of one client, for one purpose: the cases it opened and,
    if the glass was broken to get here, the BreakGlass that did it."""

    user: Any
    client: Client
    purpose: str
    cases: list[Case]
    decision: dict[str, Any]
    break_glass: BreakGlass | None = None
    _entry_decisions: dict[tuple, dict[str, Any]] = field(default_factory=dict)

    @property
    def case_ids(self) -> set[int]:
        return {case.pk for case in self.cases}

    def entries(self, limit: int = 100) -> list[Entry]:
        """The newest `limit` entries on the opened cases (rows.load_entries)."""
        return rows.load_entries(self.case_ids, limit)

    def related_people(self) -> list[RelatedPerson]:
        return rows.load_related_people(self.client.pk)

    def safe_contact(self) -> SafeContact | None:
        return rows.load_safe_contact(self.client.pk)

    def corrections(self) -> list[ClientCorrection]:
        """The corrections of the client's name and date of birth, newest first, with who made them
        (each earlier value and reason opened, under the client's key, only as it is shown)."""
        return list(ClientCorrection.objects.filter(client_id=self.client.pk).select_related("changed_by")
                    .order_by("-changed_at", "-id"))

    def _entry_decision(self, entry: Entry, *, sealed: bool | None = None) -> dict[str, Any]:
        sealed = entry.sealed if sealed is None else sealed
        key = (entry.case_id, entry.record_kind, sealed)
        if key not in self._entry_decisions:
            case = next(case for case in self.cases if case.pk == entry.case_id)
            self._entry_decisions[key] = case_decision(self.user, case, entry.record_kind, self.purpose, sealed=sealed)
        return self._entry_decisions[key]

    # 4. An entry on an opened file
    def may_open(self, entry: Entry) -> bool:
        """An entry opens if its case is open to this person and the engine, asked about this kind
        of record (a medical record, a risk assessment) and whether it is sealed, says so too: a
        sealed entry opens only to the role the pack names (e.g. DVIP 8.07), and break-glass never
        reaches the kinds the pack keeps from it (e.g. medical records). Asked once per case,
        kind and seal."""
        if entry.case_id not in self.case_ids:
            return False
        if entry.record_kind == "case_notes" and not entry.sealed:
            return True  # what the file itself was opened on
        decision = self._entry_decision(entry)["decision"]
        if self.break_glass is not None and entry.sealed and decision == "permit":
            # The sealed rule names who may open a sealed record at all; a file opened by breaking
            # the glass still reaches only the kinds of record break-glass reaches (dvip: never a
            # medical record), sealed or not.
            return self._entry_decision(entry, sealed=False)["decision"] != "deny"
        return decision == "permit" or (decision == "permit_if_approved" and self.break_glass is not None)

    def sealed_reason(self, entry: Entry) -> str:
        decision = self._entry_decision(entry) if entry.case_id in self.case_ids else DENY
        return "; ".join(f"{r.get('clause', '')}: {r.get('text', '')}" for r in decision.get("reasons", []))

    @property
    def may_write(self) -> bool:
        return self.purpose in WRITING_PURPOSES

    def may_change(self, entry: Entry) -> bool:
        """Whether this person may correct this entry or move it to the right file, here: the file
        is open for work on the case, the entry opens to them, and it is theirs to change
        (may_change_entry)."""
        return self.may_write and may_change_entry(self.user, entry) and self.may_open(entry)

    def may_see_history(self, entry: Entry) -> bool:
        """Whether this person may read the earlier versions of an entry that opens to them here
        (may_see_entry_history)."""
        return may_see_entry_history(self.user, entry) and self.may_open(entry)


# The access_* functions ------------------------------------------------------------------------------

def access_client(user, client_id, purpose: str, *, record_kind: str = "case_notes",
                  action: Action = Action.CLIENT_READ, checked_clearance: bool = False) -> ClientAccess:
    """Reading a client's file: as far as this person may read it for this purpose; Http404 if
    nothing opens. The read is recorded, with the decision, its clauses and the role held then."""
    action = Action(action)  # an unknown action fails here, before anything is read
    client_pk = record_id(client_id)
    if not checked_clearance:  # 0.
        require_cleared(user, action, purpose, object_type="client", object_id=client_pk)
    # No transaction of its own: a read changes nothing, and its one audit event is committed
    # on its own by record_event() before anything is shown.
    client = rows.load_client(client_pk)
    if client is None:  # 2.
        record_event(user, action.refused(), object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "no_such_client"})
        raise Http404
    opening = open_cases(user, client, purpose, record_kind, client.loaded_cases, checked_clearance=True)  # type: ignore[attr-defined]  # rows.load_client's  # 1.
    pack = opening.decision.get("pack") or {}
    # The role at the time, so the record of access stays true if the person's role changes.
    detail: dict[str, Any] = {"decision": opening.decision["decision"], "clauses": clauses(opening.decision),
                              "role": user.role, "cases": [case.pk for case in opening.cases],
                              "pack": pack.get("name", ""), "pack_version": pack.get("version", "")}
    if opening.break_glass is not None:
        detail["break_glass"] = opening.break_glass.pk
    record_event(user, action if opening.cases else action.refused(), object_type="client", object_id=client.pk,
                 client_id=client.pk, purpose=purpose, detail=detail)
    if not opening.cases:
        raise Http404
    return ClientAccess(user, client, purpose, opening.cases, opening.decision, opening.break_glass)


def _refuse_reading_purpose(user, purpose: str, object_type: str, object_id: int, action: Action) -> None:
    """3. Writing is work on the case: a purpose that only reads is refused before anything is
    fetched, and the refusal recorded."""
    if purpose not in WRITING_PURPOSES:
        record_event(user, action.refused(), object_type=object_type, object_id=object_id, purpose=purpose,
                     detail={"reason": "purpose_reads_only", "role": user.role})
        raise Http404


def access_client_to_write(user, client_id, purpose: str, *, action: Action) -> ClientAccess:
    """Adding to a client's file (a person, safe contact details): access_client(), only for a
    purpose that is work on the case."""
    action = Action(action)
    require_cleared(user, action, purpose, object_type="client", object_id=record_id(client_id))  # 0.
    _refuse_reading_purpose(user, purpose, "client", record_id(client_id), action)
    return access_client(user, client_id, purpose, action=action, checked_clearance=True)


def access_case_to_write(user, case_id, purpose: str, *, action: Action) -> tuple[ClientAccess, Case]:
    """Writing to one case (a note, a document, a change of stage): the case must be one the gate
    opens for this person, for a purpose that is work on the case."""
    action = Action(action)
    case_pk = record_id(case_id)
    require_cleared(user, action, purpose, object_type="case", object_id=case_pk)  # 0.
    _refuse_reading_purpose(user, purpose, "case", case_pk, action)
    client_id = Case.objects.filter(pk=case_pk).values_list("client_id", flat=True).first()
    if client_id is None:  # 2.
        record_event(user, action.refused(), object_type="case", object_id=case_pk, purpose=purpose,
                     detail={"reason": "no_such_case"})
        raise Http404
    grant = access_client(user, client_id, purpose, action=action, checked_clearance=True)
    case = next((case for case in grant.cases if case.pk == case_pk), None)
    if case is None:  # the client's file opened, but not through this case
        record_event(user, action.refused(), object_type="case", object_id=case_pk, client_id=client_id,
                     purpose=purpose, detail={"reason": "case_not_opened", "role": user.role})
        raise Http404
    return grant, case


def access_entry(user, entry_id, purpose: str, *, action: Action, kind: str | None = None) -> tuple[ClientAccess, Entry]:
    """Reading one entry (of `kind`, if given: a document to download, say): its case must open,
    and if it is sealed, the pack's sealed rule must name this person's role. An entry of another
    kind is refused exactly as a missing one is, before anything is read or recorded as read."""
    action = Action(action)
    entry_pk = record_id(entry_id)
    require_cleared(user, action, purpose, object_type="entry", object_id=entry_pk)  # 0.
    entries = Entry.objects.all() if kind is None else Entry.objects.filter(kind=kind)
    entry = entries.select_related("case").filter(pk=entry_pk).first()
    if entry is None:  # 2.
        record_event(user, action.refused(), object_type="entry", object_id=entry_pk, purpose=purpose,
                     detail={"reason": "no_such_entry" if kind is None else f"no_such_{kind}"})
        raise Http404
    grant = access_client(user, entry.case.client_id, purpose, action=action.on_file(), checked_clearance=True)
    if not grant.may_open(entry):  # 4.
        record_event(user, action.refused(), object_type="entry", object_id=entry.pk,
                     client_id=entry.case.client_id, purpose=purpose,
                     detail={"reason": "sealed" if entry.sealed else "case_not_opened", "role": user.role})
        raise Http404
    record_event(user, action, object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 purpose=purpose, detail={"role": user.role, "kind": entry.kind,
                                          **({"break_glass": grant.break_glass.pk} if grant.break_glass else {})})
    return grant, entry


def access_document(user, entry_id, purpose: str) -> tuple[ClientAccess, Entry, Document]:
    """Downloading a document. Any other id, a note's or a risk assessment's included, is refused
    as a missing one is (no_such_document), so the record of access holds a download only of a
    document this person was let have."""
    grant, entry = access_entry(user, entry_id, purpose, action=Action.DOCUMENT_DOWNLOAD, kind="document")
    document = Document.objects.filter(entry=entry).first()
    if document is None:  # a document entry always has its file (do_add_document writes both at once)
        raise Http404
    return grant, entry, document


# Corrections and moves (UK GDPR Art 16). No pack says who may correct an entry or read what it said
# before (confide/policy/README.md, "Corrections"), so: its author, or a manager or the data controller
# (vocab.MANAGER_KINDS), and only where the engine opens the entry to them for the purpose asked.

def may_change_entry(user, entry: Entry) -> bool:
    """Correcting an entry, or moving it to the right file: its author, or a manager-kind role."""
    return entry.author_id == user.pk or user.role_kind in MANAGER_KINDS


def may_see_entry_history(user, entry: Entry) -> bool:
    """Reading an entry's earlier versions: its author, the client's managers, the data controller
    (whom the engine lets open the file for the purpose: supervision, an audit...)."""
    return entry.author_id == user.pk or user.role_kind in MANAGER_KINDS


def _refuse_entry(user, action: Action, entry: Entry, purpose: str, reason: str) -> None:
    record_event(user, action.refused(), object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 purpose=purpose, detail={"reason": reason, "role": user.role})
    raise Http404


def access_entry_to_change(user, entry_id, purpose: str, *, action: Action = Action.ENTRY_CHANGE
                           ) -> tuple[ClientAccess, Entry]:
    """Correcting an entry or moving it to the right file: for a purpose that is work on the case
    (3.), its case must open (1.), the entry must open to this person (4., its seal), and it must be
    theirs to change (may_change_entry). Refused as a missing entry is, and the refusal recorded."""
    action = Action(action)
    entry_pk = record_id(entry_id)
    require_cleared(user, action, purpose, object_type="entry", object_id=entry_pk)  # 0.
    _refuse_reading_purpose(user, purpose, "entry", entry_pk, action)
    entry = Entry.objects.select_related("case").filter(pk=entry_pk).first()
    if entry is None:  # 2.
        record_event(user, action.refused(), object_type="entry", object_id=entry_pk, purpose=purpose,
                     detail={"reason": "no_such_entry"})
        raise Http404
    grant = access_client(user, entry.case.client_id, purpose, action=action, checked_clearance=True)
    if not grant.may_open(entry):  # 4.
        _refuse_entry(user, action, entry, purpose, "sealed" if entry.sealed else "case_not_opened")
    if not may_change_entry(user, entry):
        _refuse_entry(user, action, entry, purpose, "not_author_or_manager")
    return grant, entry


def access_entry_history(user, client_id: int | None, entry_id, purpose: str) -> tuple[ClientAccess, Entry, list[EntryVersion]]:
    """Reading an entry's earlier versions (corrected, or moved from another file), newest first:
    the client's file must open for the purpose (1.), the entry be on it and open to this person
    (4.), and its history be theirs to read (may_see_entry_history). The read is recorded; what the
    versions say is opened only by the caller, under this client's key."""
    action = Action.ENTRY_HISTORY
    entry_pk = record_id(entry_id)
    require_cleared(user, action, purpose, object_type="entry", object_id=entry_pk)  # 0.
    if client_id is None:  # addressed by the entry alone: its file is the one asked about
        client_id = Entry.objects.filter(pk=entry_pk).values_list("case__client_id", flat=True).first()
        if client_id is None:  # 2.
            record_event(user, action.refused(), object_type="entry", object_id=entry_pk, purpose=purpose,
                         detail={"reason": "no_such_entry"})
            raise Http404
    grant = access_client(user, client_id, purpose, action=action.on_file(), checked_clearance=True)
    entry = Entry.objects.select_related("case").filter(pk=entry_pk, case__client_id=grant.client.pk).first()
    if entry is None:  # 2. (an entry of another client's file is no entry of this one)
        record_event(user, action.refused(), object_type="entry", object_id=entry_pk, client_id=grant.client.pk,
                     purpose=purpose, detail={"reason": "no_such_entry"})
        raise Http404
    if not grant.may_open(entry):  # 4.
        _refuse_entry(user, action, entry, purpose, "sealed" if entry.sealed else "case_not_opened")
    if not may_see_entry_history(user, entry):
        _refuse_entry(user, action, entry, purpose, "not_author_or_manager")
    versions = list(EntryVersion.objects.filter(entry=entry, client_id=grant.client.pk)
                    .select_related("changed_by").order_by("-changed_at", "-id"))
    record_event(user, action, object_type="entry", object_id=entry.pk, client_id=grant.client.pk, purpose=purpose,
                 detail={"role": user.role, "versions": [version.pk for version in versions]})
    return grant, entry, versions


# A possible duplicate at referral (issue 13) -----------------------------------------------------------

@dataclass
class PossibleDuplicates:
    """Clients already on Confide with the name and date of birth of a new referral: those this
    person's list could name (`listed`, each a Client with its name open), and how many others
    there are, which they are told only exist (`unseen`), never their numbers."""

    listed: list[Client]
    unseen: int

    def __bool__(self) -> bool:
        return bool(self.listed) or self.unseen > 0


def access_possible_duplicates(user, name: str, date_of_birth) -> PossibleDuplicates:
    """Clients with the same name (as the index sees it) and the same date of birth as a referral
    being taken: found through the blind index, then the few candidates' names and dates of birth
    opened here and compared, never shown. What may be named is the lists' rule (`listable`, for
    direct support). Without a date of birth nothing is compared. Each match's record of access
    holds the check (no name or date in it), so that someone testing names against Confide is seen."""
    if date_of_birth is None or not name.strip():
        return PossibleDuplicates([], 0)
    require_cleared(user, Action.CLIENTS_DUPLICATE_CHECKED, "direct_support")  # 0.
    candidates = list(Client.objects.filter(pk__in=rows.candidates_named(name)))
    reveal_names(candidates)
    matches = [client for client in candidates
               if same_name(client.display_name, name) and client.date_of_birth == date_of_birth]
    shown = listable(user, [client.pk for client in matches], "direct_support") if matches else set()
    for client in matches:
        record_event(user, Action.CLIENTS_DUPLICATE_CHECKED, object_type="client", object_id=client.pk,
                     client_id=client.pk, purpose="direct_support",
                     detail={"role": user.role, "named": client.pk in shown})
    if not matches:
        record_event(user, Action.CLIENTS_DUPLICATE_CHECKED, purpose="direct_support",
                     detail={"role": user.role, "matches": 0})
    return PossibleDuplicates([client for client in matches if client.pk in shown],
                              sum(1 for client in matches if client.pk not in shown))


# 5. Lists --------------------------------------------------------------------------------------------

def list_filter(user, purpose: str):
    """The pack's `access` rules for this person and purpose as a filter over every case
    (confide.policy.filters.AccessFilter), asked about a client's identity."""
    return current_policy().access_filter(role=user.role, has_team=user.team_id is not None, purpose=purpose)


def _scope(user, purpose: str) -> rows.ListScope | None:
    """The cases a list for this purpose starts from, and which of them the filter opens: for
    direct support, the person's own cases; for team purposes (cover, supervision, advice...),
    their team's; for a person with no team, no team list (outside one's own work, a file is opened
    by number). None if nothing could be listed."""
    try:
        found = list_filter(user, purpose)
    except PolicyError:
        return None
    own_in_team = found.services(same_team=True, assigned=True) if user.team_id is not None else frozenset()
    if purpose == "direct_support":
        scope = rows.ListScope(mine=True, user_id=user.pk, team_id=user.team_id, own_in_team=own_in_team,
                               own_elsewhere=found.services(same_team=False, assigned=True))
    elif user.team_id is not None:
        scope = rows.ListScope(mine=False, user_id=user.pk, team_id=user.team_id, own_in_team=own_in_team,
                               team_not_own=found.services(same_team=True, assigned=False))
    else:
        return None
    return None if scope.empty else scope


def listable(user, client_ids: list[int], purpose: str) -> set[int]:
    """Of these clients, those a list may name to this person for this purpose (the rule every
    reminder and panel outside the lists follows): a client whose case, any of them, the filter
    opens. One query (and, for a person who answers to point 0., the two that ask if they are
    cleared: a person who is not names nobody)."""
    if not is_cleared_now(user):
        return set()
    try:
        found = list_filter(user, purpose)
    except PolicyError:
        return set()
    if not found.permits_any:
        return set()
    return {client_id for client_id, service, team_id, assigned in rows.cases_of(user.pk, client_ids)
            if found.permits(service=service, same_team=user.team_id is not None and team_id == user.team_id,
                             assigned=assigned)}


def list_clients(user, purpose: str = "direct_support", *, query: str = "", limit: int = 50,
                 after: int | None = None, checked_clearance: bool = False) -> list[Client]:
    """The clients listed to this person for this purpose, newest first, `limit` at a time from
    after client number `after`; if `query`, only those with a part of their name beginning with each
    part of it (exactly or as a prefix: "Zel Quill" finds Zelda Quillfeather), through the blind
    index. Only clients the engine lets them open, asked as one filtered query whatever the size
    of the team. Each is a number and a name only, the names of those listed alone decrypted."""
    action = Action.CLIENTS_SEARCHED if query else Action.CLIENTS_LISTED
    if not checked_clearance:
        require_cleared(user, action, purpose)  # 0.
    scope = _scope(user, purpose)
    tokens = query_tokens(index_key(), query) if query and scope is not None else []
    if scope is None or (query and not tokens):  # nothing the purpose lists, or a search for nobody
        record_event(user, action, purpose=purpose, detail={"client_ids": [], "role": user.role})
        return []
    shown = rows.list_page(scope, tokens=tokens, limit=limit, after=after)
    reveal_names(shown)  # the page's names only, their keys read in one query
    record_event(user, action, purpose=purpose, detail={"client_ids": [client.pk for client in shown],
                                                        "role": user.role})
    return shown


@dataclass
class OnCaseload:
    """A client on a worker's own caseload (caseload), with what their day turns on. Reads as the
    client does where a page needs it (`pk`, `display_name`)."""

    client: Client
    next_contact_on: dt.date | None = None
    last_contact_on: dt.date | None = None
    risk_level: str = ""
    risk_at: dt.datetime | None = None
    open_cases: int = 0
    open_tasks: int = 0  # filled in by the page from the person's own tasks
    risk_label: str = ""

    @property
    def pk(self) -> int:
        return self.client.pk

    @property
    def display_name(self) -> str:
        return self.client.display_name


def caseload(user, *, limit: int = 50) -> list[OnCaseload]:
    """The person's own clients (list_clients for direct support: the list gate, which records whom
    it showed), each with what a day's work turns on, from their own cases the list's filter opens:
    `next_contact_on` (the soonest planned on a case not closed), `last_contact_on`, `open_cases`,
    and `risk_level` (the newest unsealed risk assessment's, only where the engine lets this person
    read risk assessments on that case: a volunteer may hold a case and still not its risk
    assessment). Soonest next contact first, those with none after. One query more than the list."""
    try:
        require_cleared(user, Action.CLIENTS_LISTED, "direct_support")  # 0.: the home page shows what is missing
    except NotCleared:
        return []
    listed = list_clients(user, "direct_support", limit=limit, checked_clearance=True)
    if not listed:
        return []
    found = list_filter(user, "direct_support")  # the list above asked it already: it answers
    shown = [OnCaseload(client) for client in listed]
    by_pk = {row.pk: row for row in shown}
    reads_risk: dict[tuple[str, str], bool] = {}
    for row in rows.caseload_rows(user.pk, list(by_pk)):
        same_team = user.team_id is not None and row["team_id"] == user.team_id
        if not found.permits(service=row["service"], same_team=same_team, assigned=True):
            continue  # a case of theirs the list would not name them for (another service, say)
        client = by_pk[row["client_id"]]
        if row["status"] != Case.Status.CLOSED:
            client.open_cases += 1
            if row["next_contact_on"] and (client.next_contact_on is None or row["next_contact_on"] < client.next_contact_on):
                client.next_contact_on = row["next_contact_on"]
        if row["last_contact_on"] and (client.last_contact_on is None or row["last_contact_on"] > client.last_contact_on):
            client.last_contact_on = row["last_contact_on"]
        if row["risk_level"] and (client.risk_at is None or row["risk_at"] > client.risk_at):
            key = (row["service"], row["team_slug"])
            if key not in reads_risk:
                reads_risk[key] = decide(access_request(user, "direct_support", "risk_assessment", service=row["service"],
                                                        team=row["team_slug"], assigned=True))["decision"] == "permit"
            if reads_risk[key]:
                client.risk_level, client.risk_at = row["risk_level"], row["risk_at"]
    shown.sort(key=lambda c: (c.next_contact_on is None, c.next_contact_on or dt.date.max, -c.pk))
    return shown


def team_caseloads(user, *, limit: int = 50) -> list:
    """For a manager of a team (vocab.LINE_MANAGER_KINDS), the team's people who hold a caseload
    (vocab.CASEWORK_KINDS), each with `open_cases`: how many cases not closed they work on, most
    first. Staff and numbers only, never a client, so nothing is recorded as read. One query."""
    if user.role_kind not in LINE_MANAGER_KINDS or user.team_id is None:
        return []
    roles = [name for name, role in current_policy().roles.items() if role.kind in CASEWORK_KINDS]
    return list(get_user_model().objects.filter(team_id=user.team_id, role__in=roles, is_active=True)
                .annotate(open_cases=Count("cases", filter=~Q(cases__status=Case.Status.CLOSED)))
                .only("id", "first_name", "last_name", "username", "role")
                .order_by("-open_cases", "last_name", "first_name", "id")[:limit])
