"""The retention schedule (issue 15): when each record falls due, as the pack's `retain` answer gives it.

One line (`Due`) per record: a client's file (all their cases), a referral never taken up, each piece
of unsolicited information, each signed consent form. A client's file is counted from the latest
`closed_on` of their cases once every case is closed; while any is not, it is kept. Lines are worked
out again when a case is saved (signals.py) and in bulk by `do_recompute()` (a few queries per 1,000
clients). Nothing here reads or writes a name or a word of a client's records: numbers, classes,
rules, clauses and dates only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.records.models import Case, Client, Entry
from confide.sharing.models import Consent

from .models import Due, DueAction, LegalHold, RecordClass

CHUNK = 1000
# What each class is asked of the pack as (None: a class the pack vocabulary has no word for, which
# the pack's default rule answers: no period, review).
PACK_KIND: dict[str, str | None] = {
    RecordClass.CLIENT_FILE: "client_file",
    RecordClass.REFERRAL: "client_file",
    RecordClass.UNSUCCESSFUL_APPLICATION: "unsuccessful_application",
    RecordClass.UNSOLICITED: "unsolicited_information",
    RecordClass.CONSENT_FORM: "consent_form",
    RecordClass.DISCLOSURE: None,
    RecordClass.SUBJECT_ACCESS: None,
    RecordClass.PERSONNEL_FILE: "personnel_file",
    RecordClass.AUDIT_EVENT: "audit_event",
}
# The actions that do something to a record when it falls due (review and keep do not).
DOES_SOMETHING = (DueAction.DESTROY, DueAction.MINIMISE, DueAction.RETURN, DueAction.ANONYMISE)
_FIELDS = ("client_id", "service", "due_on", "action", "rule", "clause", "keep_only", "closed_on")


def _policy():
    from confide.accounts.models import current_policy

    return current_policy()


class _Asker:
    """The pack's `retain` answers, each asked once per run (the same kind, service, date and flags
    give the same answer)."""

    def __init__(self, pack) -> None:
        self.pack = pack
        self.memo: dict[tuple, tuple] = {}

    def line(self, record_class: str, object_id: int, client_id: int | None, *, service: str | None,
             closed_on: dt.date | None, flags: Iterable[str] = ()) -> tuple:
        """One line, as a tuple in the order of `_COLS`."""
        kind = PACK_KIND[record_class]
        # A service the pack does not name: its rules by service cannot apply.
        service_asked = service if service is None or service in self.pack._services else None
        flags = frozenset(f for f in flags if f in self.pack._record_flags)
        key = (kind, service_asked, closed_on, flags)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._ask(*key)
        return (record_class, object_id, client_id, service or "", *found, closed_on)

    def _ask(self, kind: str | None, service: str | None, closed_on: dt.date | None, flags: frozenset[str]) -> tuple:
        """(due_on, action, rule, clause, keep_only) as the pack answers."""
        if kind is None or kind not in self.pack._record_kinds:
            d = self.pack.spec.retain["default"]
            return (None, DueAction.REVIEW.value, d.id, d.clause, ())
        record: dict[str, Any] = {"kind": kind, "flags": sorted(flags)}
        if service is not None:
            record["service"] = service
        if closed_on is not None:
            record["closed_on"] = closed_on.isoformat()
        answer = self.pack.decide({"action": "retain", "record": record})
        reason = answer["reasons"][0]  # the rule that answered (or the legal hold flag, which stops it)
        action = answer["action"]
        keep_only = tuple(answer["keep_only"])
        due_on = dt.date.fromisoformat(answer["destroy_on"]) if answer["destroy_on"] else None
        if action == DueAction.DESTROY and keep_only:
            action = DueAction.MINIMISE
        if due_on is None and action in DOES_SOMETHING and closed_on is None:
            action = DueAction.KEEP  # a period the pack gives, not started: the record is still in use
        return (due_on, str(action), reason.get("rule", "")[:100], str(reason.get("clause", ""))[:100], keep_only)


# A line: its fields in this order (keep_only a tuple).
_COLS = ("record_class", "object_id", "client_id", "service", "due_on", "action", "rule", "clause", "keep_only",
         "closed_on")
_DB_COLS = tuple(Due._meta.get_field(c).column for c in _COLS)
_ACTION, _DUE_ON, _SERVICE, _CLOSED_ON = _COLS.index("action"), _COLS.index("due_on"), 3, _COLS.index("closed_on")


def _client_file(asker: _Asker, client_id: int, cases: list[tuple]) -> tuple:
    """The line of one client's file: counted from the latest closing once every case is closed.
    Each case: (id, status, service, referred_on, opened_on, closed_on, flags)."""
    closed = [c for c in cases if c[1] == Case.Status.CLOSED and c[5] is not None]
    flags = {f for c in cases for f in (c[6] or ())}
    record_class = RecordClass.REFERRAL.value if cases and all(c[4] is None for c in cases) \
        else RecordClass.CLIENT_FILE.value
    if cases and len(closed) == len(cases):
        last = max(closed, key=lambda c: (c[5], c[0]))
        return asker.line(record_class, client_id, client_id, service=last[2], closed_on=last[5], flags=flags)
    latest = max(cases, key=lambda c: (c[3], c[0])) if cases else None
    line = asker.line(record_class, client_id, client_id, service=latest[2] if latest else None, closed_on=None,
                      flags=flags)
    # A case still open (or none yet): the file is in use.
    return (*line[:_DUE_ON], None, DueAction.KEEP.value, *line[_ACTION + 1:])


def _among(field: str, ids: list[int], contiguous: bool) -> dict[str, Any]:
    """A filter on these clients: a range where no other client's number falls between (cheaper to
    build and to run than a list of a thousand numbers)."""
    return {f"{field}__gte": ids[0], f"{field}__lte": ids[-1]} if contiguous else {f"{field}__in": ids}


def _compute(asker: _Asker, client_ids: list[int], contiguous: bool = False) -> list[tuple]:
    """The lines of some clients (sorted numbers); none for a destroyed client."""
    if not client_ids:
        return []
    destroyed = set(Client.objects.filter(**_among("pk", client_ids, contiguous), destroyed_at__isnull=False)
                    .values_list("pk", flat=True))
    live = [c for c in client_ids if c not in destroyed]
    if not live:
        return []
    cases: dict[int, list[tuple]] = {c: [] for c in live}
    for client_id, *case in Case.objects.filter(**_among("client_id", client_ids, contiguous)).order_by() \
            .values_list("client_id", "id", "status", "service", "referred_on", "opened_on", "closed_on", "flags"):
        if client_id in cases:
            cases[client_id].append(case)
    lines = []
    files: dict[int, tuple] = {}
    for client_id in live:
        files[client_id] = line = _client_file(asker, client_id, cases[client_id])
        lines.append(line)
    unsolicited = Entry.objects.filter(**_among("case__client_id", client_ids, contiguous), unsolicited=True) \
        .order_by().values_list("id", "case__client_id", "case__service", "created_at")
    for entry_id, client_id, service, created_at in unsolicited:
        if client_id in files:
            lines.append(asker.line(RecordClass.UNSOLICITED.value, entry_id, client_id, service=service,
                                    closed_on=timezone.localdate(created_at)))
    signed = Consent.objects.filter(**_among("client_id", client_ids, contiguous), form_content_sealed__isnull=False) \
        .exclude(form_content_sealed=b"").order_by().values_list("id", "client_id")
    for consent_id, client_id in signed:
        file = files.get(client_id)
        if file is None:
            continue
        # A signed form is kept as long as the file it shows consent for (counted from the same day).
        lines.append(asker.line(RecordClass.CONSENT_FORM.value, consent_id, client_id, service=file[_SERVICE] or None,
                                closed_on=file[_CLOSED_ON] if file[_ACTION] != DueAction.KEEP else None))
    return lines


def compute_client(client_id: int) -> list[Due]:
    """One client's schedule lines as the pack gives them now (unsaved); none for a destroyed client."""
    return [_due(line) for line in _compute(_Asker(_policy()), [client_id])]


def _due(line: tuple, **more) -> Due:
    fields = dict(zip(_COLS, line, strict=True))
    fields["keep_only"] = list(fields["keep_only"])
    return Due(**fields, **more)


def _insert(lines: list[tuple], now) -> None:
    """New lines in one statement per thousand (Django's bulk_create spends longer building it)."""
    ops = connection.ops
    field = Due._meta.get_field("keep_only")
    kept: dict[tuple, Any] = {}
    at = ops.adapt_datetimefield_value(now)
    rows = []
    for line in lines:
        rc, obj, client, service, due_on, action, rule, clause, keep_only, closed_on = line
        if keep_only not in kept:
            kept[keep_only] = field.get_db_prep_save(list(keep_only), connection)
        rows.append((rc, obj, client, service, ops.adapt_datefield_value(due_on), action, rule, clause,
                     kept[keep_only], ops.adapt_datefield_value(closed_on), at))
    names = ", ".join(ops.quote_name(c) for c in (*_DB_COLS, "computed_at"))
    # Names from the model, values as parameters: nothing from outside is in the statement.
    sql = f"INSERT INTO {ops.quote_name(Due._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(rows[0]))})"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[i:i + CHUNK])


def _save(lines: list[tuple], client_ids: list[int], now, contiguous: bool = False) -> tuple[int, int, int]:
    """Make the stored lines of these clients what `lines` says: (added, changed, removed). Lines
    already done (in an applied batch) are left as they are."""
    existing: dict[tuple[str, int], tuple] = {}
    done: set[tuple[str, int]] = set()
    stored = Due.objects.filter(**_among("client_id", client_ids, contiguous)).order_by() \
        .values_list("id", "done_at", *_COLS)
    for pk, done_at, *line in stored:
        key = (line[0], line[1])
        if done_at is not None:
            done.add(key)
        else:
            line[_COLS.index("keep_only")] = tuple(line[_COLS.index("keep_only")] or ())
            existing[key] = (pk, tuple(line))
    new, changed = [], []
    for line in lines:
        key = (line[0], line[1])
        if key in done:
            continue
        old = existing.pop(key, None)
        if old is None:
            new.append(line)
        elif old[1] != line:
            changed.append(_due(line, pk=old[0], computed_at=now))
    stale = [pk for pk, _ in existing.values()]
    if stale:
        Due.objects.filter(pk__in=stale).delete()
    if new:
        _insert(new, now)
    if changed:
        Due.objects.bulk_update(changed, [*_FIELDS, "computed_at"], batch_size=CHUNK)
    return len(new), len(changed), len(stale)


def _chunks(client_ids: list[int] | None) -> Iterable[list[int]]:
    if client_ids is not None:
        ids = sorted(set(client_ids))
        for i in range(0, len(ids), CHUNK):
            yield ids[i:i + CHUNK]
        return
    last = 0
    while True:
        ids = list(Client.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def recompute(client_ids: Iterable[int] | None = None) -> tuple[int, int, int, int]:
    """Work the lines out again and store them, in the caller's transaction, with no audit event of
    its own: (clients, added, changed, removed). For a save that is audited itself (signals.py); every
    other caller uses `do_recompute`."""
    asker = _Asker(_policy())
    now = timezone.now()
    clients = added = changed = removed = 0
    for ids in _chunks(None if client_ids is None else list(client_ids)):
        contiguous = client_ids is None  # every client between the first and the last of the chunk
        a, c, r = _save(_compute(asker, ids, contiguous), ids, now, contiguous)
        clients += len(ids)
        added, changed, removed = added + a, changed + c, removed + r
    if client_ids is None:  # the whole schedule: staff and applicants' records too
        from . import staff

        a, c, r = staff.save_staff(staff.staff_lines(asker), now, _due, _FIELDS)
        added, changed, removed = added + a, changed + c, removed + r
    return clients, added, changed, removed


def do_recompute(client_ids: Iterable[int] | None = None, *, actor=None) -> int:
    """Work out again when each record of these clients (all clients when None) falls due, store it,
    and record that in the audit chain (counts only). Returns the number of clients worked out."""
    with transaction.atomic():
        clients, added, changed, removed = recompute(client_ids)
        record_event(actor, Action.RETENTION_RECOMPUTED, object_type="retention_schedule",
                     detail={"clients": clients, "added": added, "changed": changed, "removed": removed,
                             "all": client_ids is None})
    return clients


def falling_due(on: dt.date, *, within_days: int = 0) -> list[Due]:
    """The lines not yet done that fall due by `on` (plus `within_days`) and do something when they
    do (destroy, minimise, return, anonymise), oldest first."""
    until = on + dt.timedelta(days=within_days)
    return list(Due.objects.filter(done_at__isnull=True, due_on__isnull=False, due_on__lte=until,
                                   action__in=DOES_SOMETHING).order_by("due_on", "id"))


def for_review(limit: int) -> tuple[int, list[Due]]:
    """Records no longer in use (closed, or the person has left) for which the policy gives no period:
    kept, and listed one by one, the longest closed first, for a person to decide about each.
    Returns (how many, the first `limit`)."""
    rows = Due.objects.filter(done_at__isnull=True, action=DueAction.REVIEW, closed_on__isnull=False)
    return rows.count(), list(rows.order_by("closed_on", "id")[:limit])


DORMANT_DAYS = 365


def dormant_cases(today: dt.date, limit: int, *, days: int = DORMANT_DAYS) -> tuple[int, list[tuple[int, int]]]:
    """Cases still open with nothing recorded on them for `days` (or, with nothing recorded at all,
    referred that long ago): a client who has stopped coming may have "left" (DVIP 9.15 counts the
    years from then), but the schedule counts only from a case's closing, so a person decides and
    closes it. Returns (how many, the first `limit` as (client number, case number), the longest quiet
    first). Numbers and dates only."""
    from django.db.models import Max, Q

    from confide.records.models import Case

    cutoff = today - dt.timedelta(days=days)
    quiet = (Case.objects.exclude(status=Case.Status.CLOSED).annotate(last=Max("entries__created_at"))
             .filter(Q(last__date__lt=cutoff) | Q(last__isnull=True, referred_on__lt=cutoff)))
    return quiet.count(), list(quiet.order_by("last", "referred_on", "pk").values_list("client_id", "pk")[:limit])


def everything_held() -> bool:
    """A legal hold in force that covers everything (no client named): nothing is destroyed,
    minimised or returned, a client's record or a member of staff's, until it is released."""
    return LegalHold.objects.filter(released_at__isnull=True, client__isnull=True).exists()


def live_holds(client_ids: Iterable[int]) -> set[int]:
    """Which of these clients a legal hold in force covers (all of them, if a hold covers everything),
    and those with a subject-access request still open: what a requester asked for is not destroyed
    while they wait for it (DPA 2018 s 173 makes destroying it to prevent its disclosure an offence)."""
    from confide.subject_access.models import SubjectAccessRequest

    ids = set(client_ids)
    if not ids or LegalHold.objects.filter(released_at__isnull=True, client__isnull=True).exists():
        return ids
    held_ids: set[int] = set()
    ordered = sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i:i + CHUNK]
        held_ids.update(LegalHold.objects.filter(released_at__isnull=True, client_id__in=chunk)
                        .values_list("client_id", flat=True))
        held_ids.update(SubjectAccessRequest.objects.filter(client_id__in=chunk, status__in=SAR_OPEN)
                        .values_list("client_id", flat=True))
    return held_ids


SAR_OPEN = ("open", "compiled")


def held(client_id: int) -> bool:
    """Whether a legal hold in force covers this client (theirs, or one over everything), or a
    subject-access request of theirs is still open."""
    return bool(live_holds([client_id]))


def due_json(on: dt.date) -> dict[str, Any]:
    """What falls due on a day, for `confide retention due --on DATE --json`: numbers, classes,
    rules, clauses and dates only."""
    lines = falling_due(on)
    holds = live_holds({line.client_id for line in lines if line.client_id is not None})
    return {"on": on.isoformat(), "items": [
        {"client": line.client_id, "class": line.record_class, "object": line.object_id, "rule": line.rule,
         "clause": line.clause, "due_on": line.due_on.isoformat(), "action": line.action,
         "held": line.client_id in holds} for line in lines]}


def _period(rule) -> str:
    period = rule.extra.get("period")
    action = rule.extra["action"]
    if period is None:
        return "on receipt" if action == "return_to_sender" else "no period in the policy: review"
    unit, amount = period
    if amount == 0:
        return "when it is closed"
    word = unit[:-1] if amount == 1 else unit
    return f"{amount} {word} after it is closed"


def _action_of(rule) -> str:
    action = rule.extra["action"]
    if action == "destroy" and rule.extra.get("keep_only"):
        return DueAction.MINIMISE
    return action


def whole_schedule() -> list[dict[str, Any]]:
    """The organisation's whole schedule, for its page: for each class of record, the pack's rule for
    it (a line per service where the pack's rules differ by service, and a line per flag that changes
    the period), each with its clause, its period in words and its action. Where the pack gives no
    period, the line says so ("no period in the policy: review"), with the clause of its default."""
    pack = _policy()
    retain = pack.spec.retain
    out: list[dict[str, Any]] = []
    for record_class in RecordClass:
        kind = PACK_KIND[record_class]
        rules = [r for r in retain["rules"] if kind is not None and kind in pack._record_kinds
                 and ("kind" not in r.when or kind in r.when["kind"])]
        catch_all = False
        for rule in rules:
            services = sorted(rule.when["service"]) if "service" in rule.when else [""]
            flags = sorted(rule.when.get("flags", ()))
            if not services[0] and not flags:
                catch_all = True
            for service in services:
                out.append(_schedule_line(pack, record_class, service, flags, rule.id, rule.clause, rule.text,
                                          _period(rule), _action_of(rule), "period" in rule.extra
                                          or rule.extra["action"] == "return_to_sender"))
            if catch_all:
                break  # later rules for this kind are never reached
        if not catch_all:
            d = retain["default"]
            out.append(_schedule_line(pack, record_class, "", [], d.id, d.clause, d.text,
                                      "no period in the policy: review", DueAction.REVIEW, False))
    return out


def _schedule_line(pack, record_class, service: str, flags: list[str], rule: str, clause: str, text: str,
                   period: str, action: str, has_period: bool) -> dict[str, Any]:
    return {"class": str(record_class), "class_label": RecordClass(record_class).label,
            "service": service, "service_label": pack.services[service].label if service in pack.services else "",
            "flags": flags, "rule": rule, "clause": clause, "text": text, "period": period,
            "action": str(action), "action_label": DueAction(action).label, "no_period": not has_period}
