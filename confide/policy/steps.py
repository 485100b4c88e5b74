"""Steps a policy requires BEFORE information leaves: checks, not afterthoughts.

Some obligations in a disclosure's answer are things to do before anything is sent, not after:
DVIP 3.08 (explore with the victim what sharing could mean, and any limits she sets), DVIP 4.01
(tell the client the receiving organisation's exact criteria and information requirements),
Day-Mer's health and safety breach (the client is told first that confidentiality cannot be kept),
Derbyshire's children's guidance (explain first, unless that would raise the risk) and JustUs 3.3
(call a telephone caller back on a known number). `BEFORE_SENDING` says, for each such word, what
the worker is asked to do, what they must record, and whether (and when) it may be skipped;
`required` lists the steps one answer needs, each with the clause that requires it.

Pure Python, like the rest of confide.policy: the sharing workflow stores the confirmations and
refuses to send until every step has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from confide.errors import ConfideError
from confide.policy import reasons

# What a worker writes to confirm a step, or why it was skipped: the one rule for reasons and notes
# (confide.policy.reasons).
MIN_NOTE = reasons.MIN_REASON


@dataclass(frozen=True)
class Step:
    """One step to take before sending."""

    kind: str           # the obligation word
    title: str          # the step, as a heading
    prompt: str         # what to do, in plain English
    record: str         # what the worker records when it is done
    missing: str        # what a refusal says is missing: "Before this can be sent, <missing>."
    may_skip: bool = False
    skip_when: str = ""  # when it may be skipped (only where may_skip)
    needs_number: bool = False  # the number called back is recorded too (JustUs 3.3)


BEFORE_SENDING: dict[str, Step] = {step.kind: step for step in (
    Step("explore_implications",
         title="Explore with the client what sharing could mean",
         prompt="Talk through with the client what sharing this could mean for them (and for their children's "
                "safety), who will see it, and any limits or conditions they want to set.",
         record="What you talked through with the client, and any limits they set",
         missing="record that you explored with the client what sharing could mean"),
    Step("explain_consequences",
         title="Explain what the receiving organisation asks for",
         prompt="Tell the client the exact criteria and information requirements of the organisation it is going "
                "to (some ask for full details, including a criminal record), and what sharing could lead to.",
         record="What you explained to the client, and what they said",
         missing="record that you explained to the client what the receiving organisation asks for and what "
                 "sharing could lead to"),
    Step("inform_subject_before",
         title="Tell the client first",
         prompt="Tell the client that confidentiality cannot be kept here, and what will be shared, with whom "
                "and why.",
         record="When and how you told the client, and what they said",
         missing="record that you told the client first"),
    Step("inform_subject_before_unless_increases_risk",
         title="Tell the client first, unless that would raise the risk",
         prompt="Explain to the client what will be shared, with whom and why, unless telling them would put a "
                "child or anyone else at greater risk of harm, or get in the way of preventing, detecting or "
                "prosecuting a serious crime.",
         record="When and how you told the client, and what they said",
         missing="record that you told the client first, or why telling them would raise the risk",
         may_skip=True,
         skip_when="telling the client would put a child or anyone else at greater risk of harm, or get in the "
                   "way of preventing, detecting or prosecuting a serious crime"),
    Step("verify_requester_identity",
         title="Call back on a known number",
         prompt="Check who is asking by calling them back on a number you found yourself (for an agency, the "
                "number in the directory), never one they gave you.",
         record="Who you spoke to when you called back, and how they confirmed it was them",
         missing="record that you called the person asking back on a known number and it was them",
         needs_number=True),
)}


def refusal(kind: str) -> str:
    """What a refusal to send says is missing, in plain words."""
    step = BEFORE_SENDING.get(kind)
    missing = step.missing if step else f"record the step the policy requires ({kind.replace('_', ' ')})"
    return f"Before this can be sent, {missing}."


def real_length(text: str) -> int:
    """The letters and numbers a reader sees in a note (confide.policy.reasons.visible_length):
    spaces, punctuation and invisible characters do not make it longer."""
    return reasons.visible_length(text)


def note_problem(kind: str, outcome: str, note: str) -> ConfideError | None:
    """Why this confirmation cannot be recorded as given (an error naming its field, not raised),
    or None if it can."""
    step = BEFORE_SENDING.get(kind)
    if step is None:
        return ConfideError("that is not a step the policy asks for before sending", field="step")
    if outcome not in ("done", "skipped"):
        return ConfideError("say whether it was done", field="outcome")
    if outcome == "skipped" and not step.may_skip:
        return ConfideError("the policy does not allow this step to be skipped", field="outcome",
                            code="step_not_skippable")
    return reasons.reason_problem(note, "note", what="say why it was not done" if outcome == "skipped"
                                  else "say what was done")


def _clause(pack, answer: dict, kind: str) -> tuple[str, str]:
    """The clause (and its text) of the rule in this answer that carries the obligation."""
    rules = {rule.id: rule for rule in (*pack.spec.prohibitions, *pack.spec.disclose_rules)}
    reasons = list(answer.get("reasons") or [])
    for reason in reasons:
        rule = rules.get(reason.get("rule"))
        if rule is not None and kind in rule.obligations:
            return reason.get("clause", ""), reason.get("text", "")
    first = reasons[0] if reasons else {}
    return first.get("clause", ""), first.get("text", "")


def required(pack, request: dict, answer: dict) -> list[dict]:
    """The steps to take before sending what this answer lets go: `[{kind, clause, text}]`, in the
    order of the answer's obligations. A refusal needs none (nothing goes).

    A request that says the requester's identity was verified needs the call back recorded where
    that claim is what let it through: asked again without it, the pack refuses and asks for the call
    back (JustUs 3.3)."""
    if answer.get("decision") == "deny":
        return []
    out: list[dict] = []
    for kind in answer.get("obligations") or []:
        if kind in BEFORE_SENDING and all(s["kind"] != kind for s in out):
            clause, text = _clause(pack, answer, kind)
            out.append({"kind": kind, "clause": clause, "text": text})
    if request.get("requester_identity_verified") and all(s["kind"] != "verify_requester_identity" for s in out):
        unverified = pack.decide({**request, "requester_identity_verified": False})
        if unverified["decision"] == "deny" and "verify_requester_identity" in unverified.get("obligations", []):
            clause, text = _clause(pack, unverified, "verify_requester_identity")
            out.append({"kind": "verify_requester_identity", "clause": clause, "text": text})
    return out
