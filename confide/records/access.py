"""The one gate to client data.

Every read of a client's records for a person goes through an `access_*` function here (or the
lists and search below). Each fetches and authorises in one call: it asks the policy engine, case
by case, writes the audit event (permitted or refused) before anything is shown, and answers
Http404 alike for "no such record" and "not allowed", so an id reveals nothing.

What the engine answers (shared/design/policy-contract.md, `access`):
- `permit` opens the case's records for the purpose given;
- `permit_if_approved` is break-glass: it opens only with a live BreakGlass the person made by
  stating a reason (confide.records.break_glass), which waits in a reviewer's queue;
- `deny`, or any request the engine refuses to answer, keeps it shut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.audit.services import record_event
from confide.policy import PolicyError
from confide.policy.vocab import WRITING_PURPOSES
from confide.records.models import BreakGlass, Case, Client, Document, Entry

DENY = {"decision": "deny", "reasons": [], "approvals": [], "pack": {}}


def _with_cases(queryset):
    # Each case's workers as ids and names only: a list of clients need not load every worker's
    # whole account (password hash included) once per case.
    workers = get_user_model().objects.only("id", "first_name", "last_name", "username")
    return queryset.select_related("team").prefetch_related(
        Prefetch("cases", queryset=Case.objects.select_related("team").prefetch_related(
            Prefetch("workers", queryset=workers))))


def _team(user) -> str | None:
    return user.team.slug if user.team_id else None


def case_request(user, case: Case, record_kind: str, purpose: str, *, sealed: bool = False) -> dict:
    """The policy contract's `access` request for this person reading this case's records."""
    return {
        "action": "access",
        "actor": {"role": user.role, "team": _team(user),
                  "assigned_to_case": any(worker.pk == user.pk for worker in case.workers.all())},
        "record": {"kind": record_kind, "service": case.service, "team": case.team.slug, "sealed": sealed},
        "purpose": purpose,
    }


def _decide(request: dict) -> dict:
    try:
        return current_policy().decide(request)
    except PolicyError:
        # A request the engine cannot answer (an unknown purpose, a role the pack no longer has)
        # is a refusal, never an error page that says why.
        return DENY


def case_decision(user, case: Case, record_kind: str, purpose: str, *, sealed: bool = False) -> dict:
    return _decide(case_request(user, case, record_kind, purpose, sealed=sealed))


def _caseless_decision(user, client: Client, record_kind: str, purpose: str) -> dict:
    """A client with no case yet is asked about as its team's, with nobody assigned."""
    return _decide({"action": "access",
                    "actor": {"role": user.role, "team": _team(user), "assigned_to_case": False},
                    "record": {"kind": record_kind, "team": client.team.slug, "sealed": False},
                    "purpose": purpose})


def _clauses(decision: dict) -> list[str]:
    return [reason.get("clause", "") for reason in decision.get("reasons", [])]


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def live_break_glass(user, client_id: int, purpose: str) -> BreakGlass | None:
    return (BreakGlass.objects.filter(user=user, client_id=client_id, purpose=purpose, expires_at__gt=timezone.now())
            .order_by("-created_at").first())


@dataclass
class ClientAccess:
    """What the gate let this person read of one client, for one purpose: the cases it opened and,
    if the glass was broken to get here, the BreakGlass that did it."""

    user: object
    client: Client
    purpose: str
    cases: list[Case]
    decision: dict
    break_glass: BreakGlass | None = None
    _entry_decisions: dict = field(default_factory=dict)

    @property
    def case_ids(self) -> set[int]:
        return {case.pk for case in self.cases}

    def entries(self):
        """The entries on the opened cases, newest first (bodies not decrypted)."""
        return (Entry.objects.filter(case_id__in=self.case_ids).select_related("author", "case")
                .prefetch_related("about_people").order_by("-created_at", "-id"))

    def _entry_decision(self, entry: Entry, *, sealed: bool | None = None) -> dict:
        sealed = entry.sealed if sealed is None else sealed
        key = (entry.case_id, entry.record_kind, sealed)
        if key not in self._entry_decisions:
            case = next(case for case in self.cases if case.pk == entry.case_id)
            self._entry_decisions[key] = case_decision(self.user, case, entry.record_kind, self.purpose, sealed=sealed)
        return self._entry_decisions[key]

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


def _open(user, client: Client, purpose: str, record_kind: str) -> tuple[list[Case], dict, BreakGlass | None]:
    """The cases this person may read for this purpose: those the engine permits outright, or, if
    none, those it permits with approval when a live BreakGlass says why."""
    decisions = [(case, case_decision(user, case, record_kind, purpose)) for case in client.cases.all()]
    permitted = [case for case, decision in decisions if decision["decision"] == "permit"]
    if permitted:
        best = next(decision for case, decision in decisions if decision["decision"] == "permit")
        return permitted, best, None
    approvable = [(case, decision) for case, decision in decisions if decision["decision"] == "permit_if_approved"]
    if approvable:
        glass = live_break_glass(user, client.pk, purpose)
        if glass is not None:
            return [case for case, _ in approvable], approvable[0][1], glass
        return [], approvable[0][1], None
    return [], (decisions[0][1] if decisions else _caseless_decision(user, client, record_kind, purpose)), None


def access_client(user, client_id, purpose: str, *, record_kind: str = "case_notes",
                  action: str = "client.read") -> ClientAccess:
    """This client's records as far as this person may read them for this purpose; Http404 if
    nothing opens. The read is recorded, with the decision, its clauses and the role held then."""
    client_pk = _pk(client_id)
    # No transaction of its own: a read changes nothing, and its one audit event is committed
    # on its own by record_event() before anything is shown.
    client = _with_cases(Client.objects.filter(pk=client_pk)).first()
    if client is None:
        record_event(user, f"{action}.refused", object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "no_such_client"})
        raise Http404
    cases, decision, glass = _open(user, client, purpose, record_kind)
    pack = decision.get("pack") or {}
    # The role at the time, so the record of access stays true if the person's role changes.
    detail = {"decision": decision["decision"], "clauses": _clauses(decision), "role": user.role,
              "cases": [case.pk for case in cases], "pack": pack.get("name", ""),
              "pack_version": pack.get("version", "")}
    if glass is not None:
        detail["break_glass"] = glass.pk
    record_event(user, action if cases else f"{action}.refused", object_type="client", object_id=client.pk,
                 client_id=client.pk, purpose=purpose, detail=detail)
    if not cases:
        raise Http404
    return ClientAccess(user, client, purpose, cases, decision, glass)


def access_case(user, case_id, purpose: str, *, action: str) -> tuple[ClientAccess, Case]:
    """One case, for writing to it: the case must be one the gate opens for this person, for a
    purpose that is work on the case (WRITING_PURPOSES); reading for supervision, advice, an audit
    or a subject access request writes nothing."""
    case_pk = _pk(case_id)
    _refuse_reading_purpose(user, purpose, "case", case_pk, action)
    client_id = Case.objects.filter(pk=case_pk).values_list("client_id", flat=True).first()
    if client_id is None:
        record_event(user, f"{action}.refused", object_type="case", object_id=case_pk, purpose=purpose,
                     detail={"reason": "no_such_case"})
        raise Http404
    try:
        grant = access_client(user, client_id, purpose, action=action)
    except Http404:
        raise Http404 from None
    case = next((case for case in grant.cases if case.pk == case_pk), None)
    if case is None:
        record_event(user, f"{action}.refused", object_type="case", object_id=case_pk, client_id=client_id,
                     purpose=purpose, detail={"reason": "case_not_opened", "role": user.role})
        raise Http404
    return grant, case


def _refuse_reading_purpose(user, purpose: str, object_type: str, object_id: int, action: str) -> None:
    """Writing is work on the case: a purpose that only reads (supervision, advice, an audit, a
    subject access request) is refused before anything is fetched, and the refusal recorded."""
    if purpose not in WRITING_PURPOSES:
        record_event(user, f"{action}.refused", object_type=object_type, object_id=object_id, purpose=purpose,
                     detail={"reason": "purpose_reads_only", "role": user.role})
        raise Http404


def access_client_to_write(user, client_id, purpose: str, *, action: str) -> ClientAccess:
    """access_client(), for adding to the file: only for a purpose that is work on the case."""
    _refuse_reading_purpose(user, purpose, "client", _pk(client_id), action)
    return access_client(user, client_id, purpose, action=action)


def access_entry(user, entry_id, purpose: str, *, action: str) -> tuple[ClientAccess, Entry]:
    """One entry (a document to download, say): its case must open, and if it is sealed, the pack's
    sealed rule must name this person's role."""
    entry_pk = _pk(entry_id)
    entry = Entry.objects.select_related("case").filter(pk=entry_pk).first()
    if entry is None:
        record_event(user, f"{action}.refused", object_type="entry", object_id=entry_pk, purpose=purpose,
                     detail={"reason": "no_such_entry"})
        raise Http404
    grant = access_client(user, entry.case.client_id, purpose, action=f"{action}.file")
    if not grant.may_open(entry):
        record_event(user, f"{action}.refused", object_type="entry", object_id=entry.pk,
                     client_id=entry.case.client_id, purpose=purpose,
                     detail={"reason": "sealed" if entry.sealed else "case_not_opened", "role": user.role})
        raise Http404
    record_event(user, action, object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 purpose=purpose, detail={"role": user.role, "kind": entry.kind,
                                          **({"break_glass": grant.break_glass.pk} if grant.break_glass else {})})
    return grant, entry


def access_document(user, entry_id, purpose: str) -> tuple[ClientAccess, Entry, Document]:
    grant, entry = access_entry(user, entry_id, purpose, action="document.download")
    document = Document.objects.filter(entry=entry).first()
    if document is None:
        raise Http404
    return grant, entry, document


# Lists and search. A list never names a client the person could not open for the purpose given,
# so it shows no name, count or snippet of anyone else's case; what it shows is recorded as read.

def _caseload(user, purpose: str):
    """The clients a list for this purpose starts from, before the engine filters them: for
    direct support, the person's own cases; for team purposes (cover, supervision, advice...),
    their team's; for anything else, nobody (outside one's own work, a file is opened by number)."""
    if purpose == "direct_support":
        return Q(cases__workers=user)
    if user.team_id is not None:
        return Q(cases__team_id=user.team_id)
    return None


def _listable(user, client_ids: list[int], purpose: str) -> set[int]:
    """Of these clients, those whose name the engine lets this person read for this purpose: each
    client's cases asked about one by one (service, team, whether this person works on it), the
    most permissive answer standing, as _open() does for one client. Read as plain
    values, not model objects: a list is the page people open most."""
    cases: dict[int, list[tuple[int, str, str]]] = {}
    for case_id, client_id, service, team in (Case.objects.filter(client_id__in=client_ids)
                                              .values_list("id", "client_id", "service", "team__slug")):
        cases.setdefault(client_id, []).append((case_id, service, team))
    mine = set(Case.workers.through.objects.filter(case__client_id__in=client_ids, user_id=user.pk)
               .values_list("case_id", flat=True))
    actor_team = _team(user)
    allowed = set()
    for client_id in client_ids:
        for case_id, service, team in cases.get(client_id, ()):
            decision = _decide({"action": "access",
                                "actor": {"role": user.role, "team": actor_team, "assigned_to_case": case_id in mine},
                                "record": {"kind": "identity", "service": service, "team": team, "sealed": False},
                                "purpose": purpose})
            if decision["decision"] == "permit":
                allowed.add(client_id)
                break
    return allowed


def list_clients(user, purpose: str = "direct_support", *, query: str = "", limit: int = 50,
                 after: tuple[str, int] | None = None) -> list[Client]:
    """The clients listed to this person for this purpose, in name order, `limit` at a time from
    after (name, id); filtered by a name search if `query`. Only clients the engine lets them open.
    Each is a name and a number only (Client objects with nothing else filled in)."""
    scope = _caseload(user, purpose)
    if scope is None:
        return []
    clients = Client.objects.filter(scope)
    if query:
        clients = clients.filter(display_name__icontains=query[:100])
    if after is not None:
        name, pk = after
        clients = clients.filter(Q(display_name__gt=name) | Q(display_name=name, id__gt=pk))
    rows = clients.distinct().order_by("display_name", "id").values_list("id", "display_name")
    shown: list[Client] = []
    offset = 0
    while len(shown) < limit:
        chunk = list(rows[offset: offset + limit * 2])
        allowed = _listable(user, [pk for pk, _ in chunk], purpose)
        shown += [Client(pk=pk, display_name=name) for pk, name in chunk if pk in allowed][: limit - len(shown)]
        if len(chunk) < limit * 2:
            break
        offset += len(chunk)
    action = "clients.searched" if query else "clients.listed"
    record_event(user, action, purpose=purpose,
                 detail={"client_ids": [client.pk for client in shown], "role": user.role})
    return shown
