"""Who may approve a `permit_if_approved` disclosure, step by step, from the engine's answer.

An answer's `approvals` is a list of steps taken in order (Day-Mer's breach procedure: the Centre
Coordinator, then the Chair or Vice Chair). Each step names the roles that may approve (`any_of`),
how many must (`count`), whether the requester is barred (`not_the_requester`) and roles that may
never approve (`never`: Day-Mer's Complaints Officer never sees a breach).

Confide's own rule, on top of every pack: nobody approves their own request. Where a pack says a
step may include the requester (JustUs 4.4: "the disclosure is made by at least two JustUs
workers"), the requester's request counts as one of them, and the others still approve it.
Nobody approves twice, so two approvals are always two people.

Pure functions over plain values: no Django here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decided:
    """One approval already given: on which step, by whom, holding which role then."""

    step: int
    user_id: int
    role: str


def needed(step: dict, requester_role: str) -> int:
    """How many approvals this step still asks of people other than the requester."""
    count = int(step.get("count", 1))
    if not step.get("not_the_requester", True) and requester_role in step.get("any_of", ()):
        # JustUs 4.4: the requester may be one of the deciders; their request is their decision.
        count -= 1
    return max(count, 0)


def current_step(steps: list[dict], requester_role: str, approved: list[Decided]) -> int | None:
    """The first step that still needs approvals, or None when every step has them."""
    for index, step in enumerate(steps):
        given = sum(1 for a in approved if a.step == index)
        if given < needed(step, requester_role):
            return index
    return None


def why_not(steps: list[dict], step_index: int | None, *, role: str, user_id: int, requester_id: int,
            approved: list[Decided]) -> str | None:
    """Why this person may not approve the request now, in plain words; None if they may."""
    if step_index is None:
        return "This request needs no more approvals."
    step = steps[step_index]
    if role in step.get("never", ()):
        # Day-Mer: the Complaints Officer never approves, and never sees, a breach of confidentiality.
        return "Your role may never approve this request."
    if user_id == requester_id:
        return "You asked for this disclosure, so you cannot approve it: someone else must."
    if any(a.user_id == user_id for a in approved):
        return "You have already approved this request; the next approval must come from someone else."
    if role not in step.get("any_of", ()):
        return "Your role is not one that may approve this step."
    return None
