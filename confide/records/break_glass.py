"""Opening a file outside one's own work: by a purpose the pack allows, or by breaking the glass.

A person names a client by number and says why. If the engine permits that purpose outright
(supervision, cover, advice, where the pack allows it), the file opens for that purpose. If it
answers `permit_if_approved` (policy contract, `access`: "allowed with a recorded reason and a flag
for review"), the person must state a reason; the file then opens for a while, and a BreakGlass
waits in the queue of the reviewers the pack names, never the person themself. Anything else is
refused exactly as a missing file is.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import reasons as reason_rules
from confide.policy import vocab
from confide.records.access import clauses, open_cases, outside_decision
from confide.records.models import BreakGlass, Client
from confide.records.rows import clients_with_cases

# The stated reason: the one rule for reasons and notes (confide.policy.reasons).
REASON_MIN = reason_rules.MIN_REASON
REVIEW_NOTE = "say what you checked or will do"


class ReasonNeeded(Exception):
    """The file is outside this person's work: they may open it only by stating a reason."""

    def __init__(self, clauses: list[str]):
        super().__init__("a reason is needed")
        self.clauses = clauses


def do_open_outside(user, client_id, purpose: str, reason: str) -> tuple[Client, BreakGlass | None]:
    """Open a client's file for a stated purpose. Returns the client and the BreakGlass if the glass
    was broken; raises ReasonNeeded if it must be and no reason was given, Http404 if it cannot."""
    client_pk = record_id(client_id)
    reason = reason.strip()
    client = clients_with_cases(Client.objects.filter(pk=client_pk)).first()
    if client is None:
        # Answered as a file outside this person's work would be: if they could break the glass on
        # one, a reason is asked for here too, so the prompt never tells an existing number from a
        # missing one. Either way the attempt is recorded, with the number tried and no client.
        asked = outside_decision(user, purpose)
        needs_reason = asked["decision"] == "permit_if_approved" and reason_rules.visible_length(reason) < REASON_MIN
        record_event(user, Action.CLIENT_OPEN_OUTSIDE_REFUSED, object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "reason_needed" if needs_reason else "no_such_client",
                                              "role": user.role})
        if needs_reason:
            raise ReasonNeeded(clauses(asked))
        raise Http404
    opening = open_cases(user, client, purpose, "case_notes")
    cases, decision, glass = opening.cases, opening.decision, opening.break_glass
    base = {"decision": decision["decision"], "clauses": clauses(decision), "role": user.role}
    if cases:
        # Permitted outright for this purpose, or a live BreakGlass already covers it.
        record_event(user, Action.CLIENT_OPEN_OUTSIDE, object_type="client", object_id=client.pk, client_id=client.pk,
                     purpose=purpose, detail={**base, **({"break_glass": glass.pk} if glass else {})})
        return client, glass
    if decision["decision"] != "permit_if_approved":
        record_event(user, Action.CLIENT_OPEN_OUTSIDE_REFUSED, object_type="client", object_id=client.pk,
                     client_id=client.pk, purpose=purpose, detail=base)
        raise Http404
    if reason_rules.visible_length(reason) < REASON_MIN:
        record_event(user, Action.CLIENT_OPEN_OUTSIDE_REFUSED, object_type="client", object_id=client.pk,
                     client_id=client.pk, purpose=purpose, detail={**base, "reason": "reason_needed"})
        raise ReasonNeeded(base["clauses"])
    reviewers = sorted({role for approval in decision.get("approvals", []) for role in approval.get("any_of", [])})
    with transaction.atomic(durable=True):
        glass = BreakGlass(user=user, client=client, purpose=purpose, role=user.role, reviewer_roles=reviewers,
                           clauses=base["clauses"], audit_seq=0,
                           expires_at=timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES))
        glass.reason = reason
        glass.save()
        # Flagged for review: the event says so, and names who reviews it. The reason itself stays
        # sealed with the client's records; the audit log never holds what anyone wrote.
        event = record_event(user, Action.CLIENT_BREAK_GLASS, object_type="break_glass", object_id=glass.pk,
                           client_id=client.pk, purpose=purpose,
                           detail={**base, "flag_for_review": True, "reviewers": reviewers,
                                   "expires_at": glass.expires_at.isoformat()})
        glass.audit_seq = event.seq
        glass.save(update_fields=["audit_seq"])
    return client, glass


def reviewable(user):
    """The break-glass openings this person reviews: their role is one the pack named for it,
    and it was not they who broke the glass."""
    # The roles are stored as a JSON list of names; a quoted name matches one whole element.
    queue = BreakGlass.objects.filter(reviewer_roles__icontains=f'"{user.role}"').exclude(user=user)
    if user.role_kind in vocab.LINE_MANAGER_KINDS:
        # A manager reviews the openings of their own team's people: the line manager the pack's
        # `notify_line_manager` obligation means (dvip 1.01). Other reviewers (the data controller)
        # see every team's.
        queue = queue.filter(user__team_id=user.team_id) if user.team_id else queue.none()
    return queue


def review_queue(user, *, pending_only: bool = True, before: int | None = None):
    """The openings this person reviews. Those still waiting, oldest first: the queue to work
    through. Or every one, reviewed or not, newest first from before opening number `before` (keyset
    paging on the (created_at, id) index, so a page of the history costs the same however long it
    is); the caller slices the page."""
    queue = reviewable(user).select_related("user", "reviewed_by")
    if pending_only:
        return queue.filter(outcome=BreakGlass.Outcome.PENDING).order_by("created_at", "id")
    if before is not None:
        # Only an opening this person reviews can mark the place: another's number starts nothing.
        at = reviewable(user).filter(pk=before).values_list("created_at", flat=True).first()
        if at is not None:
            queue = queue.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=before))
    return queue.order_by("-created_at", "-id")


def break_glass_reason(glass: BreakGlass) -> str:
    """The stated reason, for its reviewer (the queue is the gate: only a reviewer gets here)."""
    return glass.reason


def review_note(glass: BreakGlass) -> str:
    return glass.review_note


def access_break_glass(user, glass_id) -> BreakGlass:
    """One break-glass opening, for a person who reviews it; Http404 alike for missing and not theirs."""
    pk = record_id(glass_id)
    glass = reviewable(user).select_related("user", "reviewed_by").filter(pk=pk).first()
    if glass is None:
        record_event(user, Action.BREAK_GLASS_READ_REFUSED, object_type="break_glass", object_id=pk,
                     detail={"role": user.role})
        raise Http404
    record_event(user, Action.BREAK_GLASS_READ, object_type="break_glass", object_id=glass.pk, client_id=glass.client_id,
                 detail={"role": user.role})
    return glass


def check_review_note(note: str) -> str:
    """A review note may be left out; one that is written says something (the one rule for notes:
    ten zero-width spaces are not a note). Returns it as stored; raises ReasonError on "note"."""
    if not (note or "").strip():
        return ""
    return reason_rules.check_reason(note, "note", what=REVIEW_NOTE)


def do_review_break_glass(reviewer, glass: BreakGlass, outcome: str, note: str) -> BreakGlass:
    if outcome not in (BreakGlass.Outcome.APPROPRIATE, BreakGlass.Outcome.CONCERN):
        raise ValueError(f"unknown outcome {outcome!r}")
    if glass.user_id == reviewer.pk:
        raise PermissionError("nobody reviews their own break-glass")
    note = check_review_note(note)
    with transaction.atomic(durable=True):
        # Read again with its row locked: two reviewers at once cannot both review it.
        if BreakGlass.objects.select_for_update().get(pk=glass.pk).outcome != BreakGlass.Outcome.PENDING:
            raise ValueError("this break-glass has already been reviewed")
        glass.outcome = outcome
        glass.reviewed_by = reviewer
        glass.reviewed_at = timezone.now()
        glass.review_note = note  # "" clears it
        glass.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "review_note_sealed"])
        record_event(reviewer, Action.BREAK_GLASS_REVIEWED, object_type="break_glass", object_id=glass.pk,
                     client_id=glass.client_id, detail={"outcome": outcome, "role": reviewer.role,
                                                        "audit_seq": glass.audit_seq})
    return glass
