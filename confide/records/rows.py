"""Reading a client's file and the lists, for the gate: SQL and rows only, no decisions.

The gate (confide/records/access.py) decides what may be read and records that it was; this module
only reads, and only what the gate asks for after it has decided. The pages people open all day (a
client's file, their list) read with a few fixed SELECTs rather than querysets: building and
compiling a queryset costs five to ten times what the database then takes to answer (bench/RESULTS.md,
web). The SQL is the same on SQLite and PostgreSQL, run through Django's own cursor (so it is logged,
watched and counted like any other query), and each column is converted as the ORM would convert it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Prefetch, Subquery

from confide.accounts.asking import team_slug  # noqa: F401 -- read here by the pages too
from confide.accounts.models import Team
from confide.plainrows import fixed_rows, load_instances
from confide.records import identity
from confide.records.models import Case, Client, ClientNameToken, Entry, RelatedPerson, SafeContact


def _placeholders(values: Sequence) -> str:
    """A placeholder for each value of an IN (...) list (never a value); NULL for none."""
    return ", ".join(["%s"] * len(values)) or "NULL"


def _columns(alias: str, names: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{name}" for name in names)


_TEAM = ("id", "name", "slug")
_CLIENT = ("id", "name_sealed", "dob_sealed", "subject_role", "team_id", "created_at")
_CASE = ("id", "client_id", "service", "team_id", "status", "referred_on", "opened_on", "closed_on", "flags",
         "referral_consent")
_ENTRY = ("id", "case_id", "kind", "author_id", "ref", "body_sealed", "categories", "about_client", "source", "sealed",
          "unsolicited", "risk_level", "wording_confirmed", "created_at", "contact_on", "contact_kind",
          "duration_minutes", "version", "corrected_at")
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
             "WHERE cl.id = %s AND cl.destroyed_at IS NULL ORDER BY c.referred_on DESC, c.id, u.last_name, u.first_name, u.username")
# The newest entries, each with its author's name and, a row each, the people it is about.
_ENTRIES_SQL = (f"SELECT {_columns('e', _ENTRY)}, u.first_name, u.last_name, a.relatedperson_id FROM ("  # noqa: S608
                f"SELECT {_columns('n', _ENTRY)} FROM records_entry n WHERE n.case_id IN ({{ids}}) "
                "ORDER BY n.created_at DESC, n.id DESC LIMIT %s) e JOIN accounts_user u ON u.id = e.author_id "
                "LEFT JOIN records_entry_about_people a ON a.entry_id = e.id "
                "ORDER BY e.created_at DESC, e.id DESC, a.relatedperson_id")
_PEOPLE_SQL = (f"SELECT {_columns('p', _PERSON)} FROM records_relatedperson p "  # noqa: S608
               "WHERE p.client_id = %s ORDER BY p.created_at, p.id")
_SAFE_CONTACT_SQL = f"SELECT {_columns('s', _SAFE_CONTACT)} FROM records_safecontact s WHERE s.client_id = %s"  # noqa: S608
_TEAM_SQL = f"SELECT {_columns('t', _TEAM)} FROM accounts_team t WHERE t.id = %s"  # noqa: S608


def load_client(client_pk: int) -> Client | None:
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
    cases: list[Case] = []
    by_pk: dict[int, Case] = {}
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
        if user_id is not None:  # worker_ids and worker_names are the loader's, set above (not model fields)
            case.worker_ids.add(user_id)  # type: ignore[union-attr]
            case.worker_names.append(f"{first_name} {last_name}".strip())  # type: ignore[union-attr]  # as User.get_full_name()
    client.loaded_cases = cases
    return client


def clients_with_cases(queryset):
    """A queryset of clients with their team, cases, each case's team and workers (ids and names
    only: a list of clients need not load every worker's whole account, password hash included)."""
    workers = get_user_model().objects.only("id", "first_name", "last_name", "username")
    return queryset.select_related("team").prefetch_related(
        Prefetch("cases", queryset=Case.objects.select_related("team").prefetch_related(
            Prefetch("workers", queryset=workers))))


def works_on(user, case: Case) -> bool:
    """Whether this person is one of the case's workers."""
    worker_ids = case.__dict__.get("worker_ids")  # a case load_client() read, with its workers' ids
    if worker_ids is not None:
        return user.pk in worker_ids
    return any(worker.pk == user.pk for worker in case.workers.all())


def load_entries(case_ids: Iterable[int], limit: int) -> list[Entry]:
    """The newest `limit` entries on these cases, newest first (bodies not decrypted), each with its
    author's name (`entry.author_name`, as User.get_full_name()) and the ids of the people it is
    about (`entry.about_people_ids`): one query, however many entries."""
    ids = sorted(case_ids)
    entries: list[Entry] = []
    by_pk: dict[int, Entry] = {}
    for row in fixed_rows(_ENTRIES_SQL.format(ids=_placeholders(ids)), [*ids, limit]):
        entry = by_pk.get(row[0])
        if entry is None:
            entry = load_instances(Entry, _ENTRY, [row])[0]
            entry.author_name = f"{row[-3]} {row[-2]}".strip()  # as User.get_full_name()
            entry.about_people_ids = []
            by_pk[entry.pk] = entry
            entries.append(entry)
        if row[-1] is not None:
            entry.about_people_ids.append(row[-1])  # type: ignore[union-attr]  # the loader's, set above
    return entries


def load_related_people(client_pk: int) -> list[RelatedPerson]:
    """The people around the client (RelatedPerson.Meta's order; details not decrypted)."""
    return load_instances(RelatedPerson, _PERSON, fixed_rows(_PEOPLE_SQL, [client_pk]))


def load_safe_contact(client_pk: int) -> SafeContact | None:
    """The client's safe contact details, if any (not decrypted)."""
    found = load_instances(SafeContact, _SAFE_CONTACT, fixed_rows(_SAFE_CONTACT_SQL, [client_pk]))
    return found[0] if found else None


# Lists. A list is asked as a filter the database applies (confide.policy.filters: which services
# open in the person's team and elsewhere, whether or not they work on the case), newest client
# first with keyset paging, so a page costs the same however large the team or the organisation.
# Not in name order: the database holds no name to order by, and a sortable index of names would
# give their order away to a copy of it (docs/threat-model.md). A client is found by name with the
# search, through the blind index.

@dataclass(frozen=True)
class ListScope:
    """Which cases a list starts from and which of them the policy opens: the person's own cases
    (`mine`), or their team's, with the services the filter permits in each situation."""

    mine: bool
    user_id: int
    team_id: int | None
    # For the person's own cases: services that open in their own team, and in another.
    own_in_team: frozenset[str] = frozenset()
    own_elsewhere: frozenset[str] = frozenset()
    # For the team's cases the person does not work on.
    team_not_own: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.own_in_team or self.own_elsewhere or self.team_not_own)


# One for each part of a name searched for: the client holds that part's blind index token.
_NAME_PART_SQL = " AND k.client_id IN (SELECT n.client_id FROM records_clientnametoken n WHERE n.token = %s)"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({_placeholders(values)})"


def _branches(scope: ListScope) -> list[tuple[str, str, list]]:
    """Each part of the list as (FROM, WHERE, values) over records_case k: the person's own cases,
    read from their caseload (small, whatever the organisation's size), and their team's others,
    read in client order from the (team, client) index and stopping at the page's end, so no part
    walks the whole team. (CROSS JOIN makes SQLite start from the caseload; PostgreSQL plans
    by its statistics.)"""
    parts: list[tuple[str, str, list]] = []
    caseload = "records_case_workers w CROSS JOIN records_case k"
    if scope.own_in_team and scope.team_id is not None:
        services = sorted(scope.own_in_team)
        parts.append((caseload, f"w.user_id = %s AND k.id = w.case_id AND k.team_id = %s AND {_in('k.service', services)}",
                      [scope.user_id, scope.team_id, *services]))
    if scope.own_elsewhere and scope.mine:
        services = sorted(scope.own_elsewhere)
        other_team = " AND k.team_id <> %s" if scope.team_id is not None else ""
        parts.append((caseload, f"w.user_id = %s AND k.id = w.case_id{other_team} AND {_in('k.service', services)}",
                      [scope.user_id, *([scope.team_id] if scope.team_id is not None else []), *services]))
    if scope.team_not_own and not scope.mine and scope.team_id is not None:
        services = sorted(scope.team_not_own)
        parts.append(("records_case k", f"k.team_id = %s AND {_in('k.service', services)} AND NOT EXISTS ("  # noqa: S608
                      "SELECT 1 FROM records_case_workers o WHERE o.case_id = k.id AND o.user_id = %s)",
                      [scope.team_id, *services, scope.user_id]))
    return parts


def list_page(scope: ListScope, *, tokens: Sequence[str] = (), limit: int = 50,
              after: int | None = None) -> list[Client]:
    """A page of the clients the scope's filter opens, newest first, from after client number
    `after`, with only their number and sealed name read; if `tokens`, only clients holding every
    one of those name-part tokens. One query per part of the scope (at most two), each stopping at
    `limit` clients."""
    if scope.empty:
        return []
    found: dict[int, bytes] = {}
    for tables, where, values in _branches(scope):
        rest = list(tokens)
        if rest and tables == "records_case k":
            # A search of the team starts from the clients holding the first part of the name
            # (few), not from the team's cases (many), so a search that finds nobody is quick too.
            tables = f"records_clientnametoken t CROSS JOIN {tables}"
            where = f"t.token = %s AND k.client_id = t.client_id AND {where}"
            values = [rest.pop(0), *values]
        sql = (f"SELECT DISTINCT k.client_id, c.name_sealed FROM {tables} "  # noqa: S608
               f"JOIN records_client c ON c.id = k.client_id WHERE {where}"
               f"{_NAME_PART_SQL * len(rest)}{' AND k.client_id < %s' if after is not None else ''} "
               "ORDER BY k.client_id DESC LIMIT %s")
        params = [*values, *rest, *([int(after)] if after is not None else []), limit]
        for client_id, name_sealed in fixed_rows(sql, params):
            found[client_id] = name_sealed
    newest = sorted(found, reverse=True)[:limit]
    return load_instances(Client, ("id", "name_sealed"), [(pk, found[pk]) for pk in newest])


# Each case of the given clients, with its service, its team and whether this person works on it.
_LISTED_CASES_SQL = ("SELECT k.client_id, k.service, k.team_id, w.user_id FROM records_case k "
                     "LEFT JOIN records_case_workers w ON w.case_id = k.id AND w.user_id = %s "
                     "WHERE k.client_id IN ({ids})")


def cases_of(user_id: int, client_ids: Sequence[int]) -> list[tuple[int, str, int, bool]]:
    """(client id, service, team id, whether this person works on it) for each case of these
    clients: one query."""
    if not client_ids:
        return []
    rows = fixed_rows(_LISTED_CASES_SQL.format(ids=_placeholders(client_ids)), [user_id, *client_ids])
    return [(client_id, service, team_id, worker is not None) for client_id, service, team_id, worker in rows]


def caseload_rows(user_id: int, client_ids: Sequence[int]) -> list[Mapping[str, Any]]:
    """For each of this person's own cases of these clients: the client, the case's service, team
    (and its slug) and stage, its next planned contact, its last contact that took place (a missed
    appointment is no contact) and its newest unsealed risk assessment's level and time. One query,
    however many clients (each fact a subquery on the case); no entry's content is read."""
    if not client_ids:
        return []
    on_case = Entry.objects.filter(case=OuterRef("pk"))
    contacts = on_case.filter(contact_on__isnull=False).exclude(contact_kind=Entry.Contact.MISSED)
    risks = (on_case.filter(kind=Entry.Kind.RISK_ASSESSMENT, sealed=False).exclude(risk_level="")
             .order_by("-created_at", "-id"))
    return list(Case.objects.filter(workers=user_id, client_id__in=list(client_ids)).values(
        "client_id", "service", "status", "team_id", "next_contact_on", team_slug=F("team__slug"),
        last_contact_on=Subquery(contacts.order_by("-contact_on").values("contact_on")[:1]),
        risk_level=Subquery(risks.values("risk_level")[:1]), risk_at=Subquery(risks.values("created_at")[:1])))


def candidates_named(name: str) -> list[int]:
    """The numbers of the clients whose names hold every part of `name` whole (the blind index's
    token of each part), at most 50: those a duplicate check then compares, opened. No name is
    compared here; the database holds none."""
    parts = identity.name_parts(name[:200])[:identity.MOST_PARTS]
    if not parts:
        return []
    key = identity.index_key()
    first, *more = [identity.token(key, part) for part in parts]
    found = ClientNameToken.objects.filter(token=first).values("client_id")
    for token in more:
        found = found.filter(client_id__in=ClientNameToken.objects.filter(token=token).values("client_id"))
    return list(found.order_by("client_id").values_list("client_id", flat=True)[:50])
