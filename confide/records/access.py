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
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from confide.accounts.models import Team, current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.plainrows import fixed_rows, load_instances
from confide.policy import PolicyError
from confide.policy.vocab import WRITING_PURPOSES
from confide.records.identity import index_key, query_tokens, reveal_names
from confide.records.models import BreakGlass, Case, Client, Document, Entry, RelatedPerson, SafeContact

DENY = {"decision": "deny", "reasons": [], "approvals": [], "pack": {}}


# Reading a file. The pages people open all day (a client's file, their list) read it with a few
# fixed SELECTs rather than querysets: building and compiling a queryset costs five to ten times
# what the database then takes to answer (bench/RESULTS.md, web). The SQL is the same on SQLite and
# PostgreSQL, run through Django's own cursor (so it is logged, watched and counted like any other
# query), and each column is converted as the ORM would convert it.

def _with_ids(sql: str, ids) -> str:
    """One of the SELECTs below with a placeholder for each id in its IN ({ids}) list (never a value)."""
    return sql.format(ids=", ".join(["%s"] * len(ids)) or "NULL")


def _columns(alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in names)


_TEAM = ("id", "name", "slug")
_CLIENT = ("id", "name_sealed", "dob_sealed", "subject_role", "team_id", "created_at")
_CASE = ("id", "client_id", "service", "team_id", "status", "referred_on", "opened_on", "closed_on", "flags",
         "referral_consent")
_ENTRY = ("id", "case_id", "kind", "author_id", "ref", "body_sealed", "categories", "about_client", "source", "sealed",
          "unsolicited", "risk_level", "wording_confirmed", "created_at")
_PERSON = ("id", "client_id", "relationship", "ref", "details_sealed", "added_by_id", "created_at")
_SAFE_CONTACT = ("client_id", "ref", "details_sealed", "confirmed_on", "updated_by_id", "updated_at")
# Constant SQL (S608: built from the names above, never from anything a request sends).
# The client, their team, their cases with each case's team, and each case's workers: one row per
# case and worker (a case with nobody on it, or a client with no case, still gives its row).
_FILE_SQL = (f"SELECT {_columns('cl', _CLIENT)}, {_columns('ct', _TEAM)}, {_columns('c', _CASE)}, "  # noqa: S608
             f"{_columns('t', _TEAM)}, u.id, u.first_name, u.last_name FROM records_client cl "
             "JOIN accounts_team ct ON ct.id = cl.team_id "
             "LEFT JOIN records_case c ON c.client_id = cl.id LEFT JOIN accounts_team t ON t.id = c.team_id "
             "LEFT JOIN records_case_workers w ON w.case_id = c.id LEFT JOIN accounts_user u ON u.id = w.user_id "
             "WHERE cl.id = %s ORDER BY c.referred_on DESC, c.id, u.last_name, u.first_name, u.username")
# The newest entries, each with its author's name and, a row each, the people it is about.
_ENTRIES_SQL = (f"SELECT {_columns('e', _ENTRY)}, u.first_name, u.last_name, a.relatedperson_id FROM ("  # noqa: S608
                f"SELECT {_columns('n', _ENTRY)} FROM records_entry n WHERE n.case_id IN ({{ids}}) "
                "ORDER BY n.created_at DESC, n.id DESC LIMIT %s) e JOIN accounts_user u ON u.id = e.author_id "
                "LEFT JOIN records_entry_about_people a ON a.entry_id = e.id "
                "ORDER BY e.created_at DESC, e.id DESC, a.id")
_PEOPLE_SQL = (f"SELECT {_columns('p', _PERSON)} FROM records_relatedperson p "  # noqa: S608
               "WHERE p.client_id = %s ORDER BY p.created_at, p.id")
_SAFE_CONTACT_SQL = f"SELECT {_columns('s', _SAFE_CONTACT)} FROM records_safecontact s WHERE s.client_id = %s"  # noqa: S608


def _load_client(client_pk: int) -> Client | None:
    """One client with their team, and their cases (`client.loaded_cases`, in Case.Meta's order),
    each with its team and its workers' ids and names (`case.worker_ids`, `case.worker_names`, in
    User.Meta's order): one query, however many cases and workers."""
    rows = fixed_rows(_FILE_SQL, [client_pk])
    if not rows:
        return None
    at_team, at_case = len(_CLIENT), len(_CLIENT) + len(_TEAM)
    at_case_team, at_worker = at_case + len(_CASE), at_case + len(_CASE) + len(_TEAM)
    client = load_instances(Client, _CLIENT, rows[:1])[0]
    client.team = load_instances(Team, _TEAM, [rows[0][at_team:]])[0]
    teams = {client.team_id: client.team}
    cases, by_pk = [], {}
    for row in rows:
        case_pk = row[at_case]
        if case_pk is None:  # a client with no case yet
            continue
        case = by_pk.get(case_pk)
        if case is None:
            case = load_instances(Case, _CASE, [row[at_case:]])[0]
            if case.team_id not in teams:
                teams[case.team_id] = load_instances(Team, _TEAM, [row[at_case_team:]])[0]
            case.team, case.client = teams[case.team_id], client
            case.worker_ids, case.worker_names = set(), []
            by_pk[case_pk] = case
            cases.append(case)
        user_id, first_name, last_name = row[at_worker:]
        if user_id is not None:
            case.worker_ids.add(user_id)
            case.worker_names.append(f"{first_name} {last_name}".strip())  # as User.get_full_name()
    client.loaded_cases = cases
    return client


def _with_cases(queryset):
    # Each case's workers as ids and names only: a list of clients need not load every worker's
    # whole account (password hash included) once per case.
    workers = get_user_model().objects.only("id", "first_name", "last_name", "username")
    return queryset.select_related("team").prefetch_related(
        Prefetch("cases", queryset=Case.objects.select_related("team").prefetch_related(
            Prefetch("workers", queryset=workers))))


_TEAM_SQL = f"SELECT {_columns('t', _TEAM)} FROM accounts_team t WHERE t.id = %s"  # noqa: S608


def _team(user) -> str | None:
    """The person's team's slug. Their team is read once per request (then kept on the user, where
    the page header finds it too), by a fixed SELECT rather than the ORM's query for user.team."""
    if user.team_id is None:
        return None
    if not get_user_model()._meta.get_field("team").is_cached(user):
        user.team = load_instances(Team, _TEAM, fixed_rows(_TEAM_SQL, [user.team_id]))[0]
    return user.team.slug


def _assigned(user, case: Case) -> bool:
    worker_ids = case.__dict__.get("worker_ids")  # a case _load_client() read, with its workers' ids
    if worker_ids is not None:
        return user.pk in worker_ids
    return any(worker.pk == user.pk for worker in case.workers.all())


def case_request(user, case: Case, record_kind: str, purpose: str, *, sealed: bool = False) -> dict:
    """The policy contract's `access` request for this person reading this case's records."""
    return {
        "action": "access",
        "actor": {"role": user.role, "team": _team(user), "assigned_to_case": _assigned(user, case)},
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

    def entries(self, limit: int = 100) -> list[Entry]:
        """The newest `limit` entries on the opened cases, newest first (bodies not decrypted), each
        with its author's name (`entry.author_name`, as User.get_full_name()) and the ids of the
        people it is about (`entry.about_people_ids`): one query, however many entries."""
        case_ids = sorted(self.case_ids)
        entries, by_pk = [], {}
        for row in fixed_rows(_with_ids(_ENTRIES_SQL, case_ids), [*case_ids, limit]):
            entry = by_pk.get(row[0])
            if entry is None:
                entry = load_instances(Entry, _ENTRY, [row])[0]
                entry.author_name = f"{row[-3]} {row[-2]}".strip()  # as User.get_full_name()
                entry.about_people_ids = []
                by_pk[entry.pk] = entry
                entries.append(entry)
            if row[-1] is not None:
                entry.about_people_ids.append(row[-1])
        return entries

    def related_people(self) -> list[RelatedPerson]:
        """The people around the client (RelatedPerson.Meta's order; details not decrypted)."""
        return load_instances(RelatedPerson, _PERSON, fixed_rows(_PEOPLE_SQL, [self.client.pk]))

    def safe_contact(self) -> SafeContact | None:
        """The client's safe contact details, if any (not decrypted)."""
        found = load_instances(SafeContact, _SAFE_CONTACT, fixed_rows(_SAFE_CONTACT_SQL, [self.client.pk]))
        return found[0] if found else None

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


def _open(user, client: Client, purpose: str, record_kind: str,
          cases: list[Case] | None = None) -> tuple[list[Case], dict, BreakGlass | None]:
    """The cases this person may read for this purpose (of `cases`, or else all the client's):
    those the engine permits outright, or, if none, those it permits with approval when a live
    BreakGlass says why."""
    cases = client.cases.all() if cases is None else cases
    decisions = [(case, case_decision(user, case, record_kind, purpose)) for case in cases]
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
                  action: Action = Action.CLIENT_READ) -> ClientAccess:
    """This client's records as far as this person may read them for this purpose; Http404 if
    nothing opens. The read is recorded, with the decision, its clauses and the role held then."""
    action = Action(action)  # an unknown action fails here, before anything is read
    client_pk = record_id(client_id)
    # No transaction of its own: a read changes nothing, and its one audit event is committed
    # on its own by record_event() before anything is shown.
    client = _load_client(client_pk)
    if client is None:
        record_event(user, action.refused(), object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "no_such_client"})
        raise Http404
    cases, decision, glass = _open(user, client, purpose, record_kind, client.loaded_cases)
    pack = decision.get("pack") or {}
    # The role at the time, so the record of access stays true if the person's role changes.
    detail = {"decision": decision["decision"], "clauses": _clauses(decision), "role": user.role,
              "cases": [case.pk for case in cases], "pack": pack.get("name", ""),
              "pack_version": pack.get("version", "")}
    if glass is not None:
        detail["break_glass"] = glass.pk
    record_event(user, action if cases else action.refused(), object_type="client", object_id=client.pk,
                 client_id=client.pk, purpose=purpose, detail=detail)
    if not cases:
        raise Http404
    return ClientAccess(user, client, purpose, cases, decision, glass)


def access_case(user, case_id, purpose: str, *, action: Action) -> tuple[ClientAccess, Case]:
    """One case, for writing to it: the case must be one the gate opens for this person, for a
    purpose that is work on the case (WRITING_PURPOSES); reading for supervision, advice, an audit
    or a subject access request writes nothing."""
    action = Action(action)
    case_pk = record_id(case_id)
    _refuse_reading_purpose(user, purpose, "case", case_pk, action)
    client_id = Case.objects.filter(pk=case_pk).values_list("client_id", flat=True).first()
    if client_id is None:
        record_event(user, action.refused(), object_type="case", object_id=case_pk, purpose=purpose,
                     detail={"reason": "no_such_case"})
        raise Http404
    try:
        grant = access_client(user, client_id, purpose, action=action)
    except Http404:
        raise Http404 from None
    case = next((case for case in grant.cases if case.pk == case_pk), None)
    if case is None:
        record_event(user, action.refused(), object_type="case", object_id=case_pk, client_id=client_id,
                     purpose=purpose, detail={"reason": "case_not_opened", "role": user.role})
        raise Http404
    return grant, case


def _refuse_reading_purpose(user, purpose: str, object_type: str, object_id: int, action: Action) -> None:
    """Writing is work on the case: a purpose that only reads (supervision, advice, an audit, a
    subject access request) is refused before anything is fetched, and the refusal recorded."""
    if purpose not in WRITING_PURPOSES:
        record_event(user, action.refused(), object_type=object_type, object_id=object_id, purpose=purpose,
                     detail={"reason": "purpose_reads_only", "role": user.role})
        raise Http404


def access_client_to_write(user, client_id, purpose: str, *, action: Action) -> ClientAccess:
    """access_client(), for adding to the file: only for a purpose that is work on the case."""
    action = Action(action)
    _refuse_reading_purpose(user, purpose, "client", record_id(client_id), action)
    return access_client(user, client_id, purpose, action=action)


def access_entry(user, entry_id, purpose: str, *, action: Action, kind: str | None = None) -> tuple[ClientAccess, Entry]:
    """One entry (of `kind`, if given: a document to download, say): its case must open, and if it
    is sealed, the pack's sealed rule must name this person's role. An entry of another kind is
    refused exactly as a missing one is, before anything is read or recorded as read."""
    action = Action(action)
    entry_pk = record_id(entry_id)
    entries = Entry.objects.all() if kind is None else Entry.objects.filter(kind=kind)
    entry = entries.select_related("case").filter(pk=entry_pk).first()
    if entry is None:
        record_event(user, action.refused(), object_type="entry", object_id=entry_pk, purpose=purpose,
                     detail={"reason": "no_such_entry" if kind is None else f"no_such_{kind}"})
        raise Http404
    grant = access_client(user, entry.case.client_id, purpose, action=action.on_file())
    if not grant.may_open(entry):
        record_event(user, action.refused(), object_type="entry", object_id=entry.pk,
                     client_id=entry.case.client_id, purpose=purpose,
                     detail={"reason": "sealed" if entry.sealed else "case_not_opened", "role": user.role})
        raise Http404
    record_event(user, action, object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 purpose=purpose, detail={"role": user.role, "kind": entry.kind,
                                          **({"break_glass": grant.break_glass.pk} if grant.break_glass else {})})
    return grant, entry


def access_document(user, entry_id, purpose: str) -> tuple[ClientAccess, Entry, Document]:
    """A document to download. Any other id, a note's or a risk assessment's included, is refused
    as a missing one is (no_such_document), so the record of access holds a download only of a
    document this person was let have."""
    grant, entry = access_entry(user, entry_id, purpose, action=Action.DOCUMENT_DOWNLOAD, kind="document")
    document = Document.objects.filter(entry=entry).first()
    if document is None:  # a document entry always has its file (do_add_document writes both at once)
        raise Http404
    return grant, entry, document


# Lists and search. A list never names a client the person could not open for the purpose given,
# so it shows no name, count or snippet of anyone else's case; what it shows is recorded as read.

# The list's first query: a page of (id, sealed name) from the person's own cases or their team's,
# newest client first, with {search} and {after} filled in or left empty, as the list asks. Not in
# name order: the database holds no name to order by, and a sortable index of names would give
# their order away to a copy of it (docs/threat-model.md). A client is found by name with the search.
_LIST_SQL = {
    "mine": ("SELECT DISTINCT c.id, c.name_sealed FROM records_client c "
             "JOIN records_case k ON k.client_id = c.id JOIN records_case_workers w ON w.case_id = k.id "
             "WHERE w.user_id = %s{search}{after} ORDER BY c.id DESC LIMIT %s OFFSET %s"),
    "team": ("SELECT DISTINCT c.id, c.name_sealed FROM records_client c JOIN records_case k ON k.client_id = c.id "
             "WHERE k.team_id = %s{search}{after} ORDER BY c.id DESC LIMIT %s OFFSET %s"),
}
_AFTER_SQL = " AND c.id < %s"
# One for each part of a name searched for: the client holds that part's blind index token.
_NAME_PART_SQL = " AND c.id IN (SELECT n.client_id FROM records_clientnametoken n WHERE n.token = %s)"
# Each case of the listed clients, with its service, its team and whether this person works on it.
_LISTED_CASES_SQL = ("SELECT k.client_id, k.service, t.slug, w.user_id FROM records_case k "
                     "JOIN accounts_team t ON t.id = k.team_id "
                     "LEFT JOIN records_case_workers w ON w.case_id = k.id AND w.user_id = %s "
                     "WHERE k.client_id IN ({ids})")


def _caseload(user, purpose: str) -> tuple[str, int] | None:
    """The clients a list for this purpose starts from, before the engine filters them: for
    direct support, the person's own cases; for team purposes (cover, supervision, advice...),
    their team's; for anything else, nobody (outside one's own work, a file is opened by number).
    Which of _LIST_SQL, and the id it is asked about."""
    if purpose == "direct_support":
        return "mine", user.pk
    if user.team_id is not None:
        return "team", user.team_id
    return None


def _listable(user, client_ids: list[int], purpose: str) -> set[int]:
    """Of these clients, those whose name the engine lets this person read for this purpose: each
    client's cases asked about one by one (service, team, whether this person works on it), the
    most permissive answer standing, as _open() does for one client. Read as plain
    values, not model objects, in one query: a list is the page people open most."""
    if not client_ids:
        return set()
    cases: dict[int, list[tuple[str, str, bool]]] = {}
    for client_id, service, team, worker in fixed_rows(_with_ids(_LISTED_CASES_SQL, client_ids), [user.pk, *client_ids]):
        cases.setdefault(client_id, []).append((service, team, worker is not None))
    actor_team = _team(user)
    allowed = set()
    for client_id in client_ids:
        for service, team, assigned in cases.get(client_id, ()):
            decision = _decide({"action": "access",
                                "actor": {"role": user.role, "team": actor_team, "assigned_to_case": assigned},
                                "record": {"kind": "identity", "service": service, "team": team, "sealed": False},
                                "purpose": purpose})
            if decision["decision"] == "permit":
                allowed.add(client_id)
                break
    return allowed


def listable(user, client_ids: list[int], purpose: str) -> set[int]:
    """Of these clients, those a list may name to this person for this purpose (the rule every
    list and reminder follows, in the gate)."""
    return _listable(user, client_ids, purpose)


def list_clients(user, purpose: str = "direct_support", *, query: str = "", limit: int = 50,
                 after: int | None = None) -> list[Client]:
    """The clients listed to this person for this purpose, newest first, `limit` at a time from
    after client number `after`; if `query`, only those with a part of their name beginning with each
    part of it (exactly or as a prefix: "Zel Quill" finds Zelda Quillfeather), through the blind
    index. Only clients the engine lets them open. Each is a number and a name only (Client objects
    with nothing else read), the names of those listed alone decrypted."""
    scope = _caseload(user, purpose)
    if scope is None:
        return []
    which, scope_id = scope
    params: list = [scope_id]
    search = after_sql = ""
    if query:
        tokens = query_tokens(index_key(), query)
        if not tokens:  # nothing a name could hold (only punctuation): nobody, as a search for nobody
            record_event(user, Action.CLIENTS_SEARCHED, purpose=purpose, detail={"client_ids": [], "role": user.role})
            return []
        search = _NAME_PART_SQL * len(tokens)
        params += tokens
    if after is not None:
        after_sql = _AFTER_SQL
        params.append(int(after))
    sql = _LIST_SQL[which].format(search=search, after=after_sql)  # fixed fragments; the values are parameters
    shown: list[Client] = []
    offset = 0
    while len(shown) < limit:
        chunk = fixed_rows(sql, [*params, limit * 2, offset])
        allowed = _listable(user, [pk for pk, _ in chunk], purpose)
        shown += load_instances(Client, ("id", "name_sealed"), [row for row in chunk if row[0] in allowed])
        if len(chunk) < limit * 2:
            break
        offset += len(chunk)
    shown = shown[:limit]
    reveal_names(shown)  # the page's names only, their keys read in one query
    action = Action.CLIENTS_SEARCHED if query else Action.CLIENTS_LISTED
    record_event(user, action, purpose=purpose,
                 detail={"client_ids": [client.pk for client in shown], "role": user.role})
    return shown
