"""`confide policy explain`: a pack in plain English, clause by clause, and the client-facing
documents generated from the same pack, so that what a client signs says what the system enforces."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from . import legal, vocab
from .compiler import Pack
from .errors import RequestError
from .schema import ORGANISATION, Rule

_SECTION_NAMES = {
    "disclose.default": "Sharing: the default",
    "disclose.prohibition": "Sharing: never",
    "disclose.rule": "Sharing: allowed",
    "disclose.refusal": "Sharing: refused, when nothing allows it",
    "disclose.always": "Sharing: whatever the answer",
    "access.default": "Reading records: the default",
    "access.trustees": "Reading records: trustees",
    "access.sealed": "Reading records: sealed records",
    "access.grant": "Reading records: allowed",
    "access.break_glass": "Reading records: outside one's own work",
    "subject_access.right": "Subject access: the right",
    "subject_access.deadline": "Subject access: the deadline",
    "subject_access.fee": "Subject access: the fee",
    "subject_access.procedure": "Subject access: procedure",
    "subject_access.rule": "Subject access",
    "retain.default": "Keeping records: the default",
    "retain.rule": "Keeping records",
}


def clause_key(clause: str) -> tuple:
    """Natural order of clause references: 2.01 < 3.08 < 3.10 < 10.03 < Appendix A."""
    parts = re.findall(r"\d+|\D+", clause)
    appendix = not clause[:1].isdigit()
    return (appendix, [(0, int(p), "") if p.isdigit() else (1, 0, p.strip().lower()) for p in parts])


def _words(pack: Pack, words: Any, joiner: str = "or", *, plain: bool = False) -> str:
    items = [vocab.label(w) if plain else (pack.spec.labels.get(w) or _label(pack, w)) for w in sorted(words)]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def _label(pack: Pack, word: str) -> str:
    if word in pack.services:
        return pack.services[word].label
    if word in pack.roles:
        return pack.roles[word].label
    return vocab.label(word)


def _disclose_condition(pack: Pack, cond: dict[str, Any]) -> list[str]:
    out = []
    for key, value in cond.items():
        if key == "subject_role":
            out.append(f"the information is about a {_words(pack, value)}")
        elif key == "service":
            out.append(f"the person uses {_words(pack, value)}")
        elif key == "recipient":
            out.append(f"it would go to {_words(pack, value)}")
        elif key == "relationship":
            out.append(f"the person asking is the subject's {_words(pack, value)}")
        elif key == "data":
            out.append(f"it includes {_words(pack, value)}")
        elif key == "data_only":
            out.append(f"it is limited to {_words(pack, value, 'and')}")
        elif key == "purpose":
            out.append(f"the purpose is {_words(pack, value)}")
        elif key == "grounds":
            out.append(f"there is {_words(pack, value)}")
        elif key == "channel":
            out.append(f"it would be sent by {_words(pack, value)}")
        elif key == "consent":
            out.append("the subject has given valid consent" if value == "valid"
                       else "the subject has given consent, valid but for being in writing")
        elif key == "grounds_only":
            out.append(f"no ground is claimed but {_words(pack, value)}")
        elif key == "requester_role":
            out.append(f"the person asking is the {_words(pack, value)}")
        elif key == "anonymised":
            out.append("the information is anonymised" if value else "the information identifies someone")
        elif key == "identity_verified":
            out.append("the requester's identity is verified" if value else "the requester's identity is not verified")
        elif key == "subject_under_age":
            out.append(f"the subject is under {value}")
    return out


def _access_condition(pack: Pack, cond: dict[str, Any]) -> list[str]:
    out = []
    for key, value in cond.items():
        if key == "kinds":
            out.append(f"the reader's role is of kind {_words(pack, value, plain=True)}")
        elif key == "roles":
            out.append(f"the reader is the {_words(pack, value)}")
        elif key == "assigned":
            out.append("the reader is assigned to the case" if value else "the reader is not assigned to the case")
        elif key == "same_team":
            out.append("the reader is in the record's team" if value else "the reader is in another team")
        elif key == "own_service":
            out.append("the record belongs to a service the reader works in")
        elif key == "purpose":
            out.append(f"the purpose is {_words(pack, value)}")
        elif key == "record_kind":
            out.append(f"the record is {_words(pack, value)}")
        elif key == "service":
            out.append(f"the record belongs to {_words(pack, value)}")
    return out


def _approvals(pack: Pack, approvals: list[dict[str, Any]]) -> str:
    parts = []
    for a in approvals:
        who = _words(pack, a["any_of"])
        text = f"{a['count']} approval{'s' if a['count'] > 1 else ''} from {who}"
        if a["not_the_requester"]:
            text += " (not the person asking)"
        if a["never"]:
            text += f"; never {_words(pack, a['never'])}"
        parts.append(text)
    return ", then ".join(parts)


def _rule_lines(pack: Pack, rule: Rule) -> list[str]:
    lines = [f"{_SECTION_NAMES.get(rule.section, rule.section)} [{rule.id}]: {rule.text}"]
    if rule.section.startswith("disclose"):
        cond = _disclose_condition(pack, rule.when)
        if cond:
            lines.append("Applies when " + "; ".join(cond) + ".")
        if rule.unless:
            lines.append("Unless " + "; ".join(_disclose_condition(pack, rule.unless)) + ".")
        if rule.section == "disclose.prohibition":
            lines.append("Decision: refuse" + (" — no ground overrides this." if rule.extra.get("absolute") else "."))
        elif rule.section == "disclose.rule":
            lines.append(f"Decision: {vocab.label(rule.decision)}.")
            if rule.basis:
                lines.append(f"Legal basis: {legal.BASES[rule.basis]['label']} ({legal.BASES[rule.basis]['art6']}).")
    elif rule.section.startswith("access"):
        if rule.section == "access.grant":
            lines.append("Applies when " + "; ".join(_access_condition(pack, rule.when)) + ".")
            lines.append(f"Decision: {vocab.label(rule.decision)}.")
        elif rule.section == "access.sealed":
            lines.append(f"Only the {_words(pack, rule.extra['open_to'])} may open a sealed record.")
        elif rule.section == "access.break_glass":
            lines.append(f"For roles of kind {_words(pack, rule.extra['kinds'], plain=True)}: allowed with a stated "
                         "reason, flagged for review.")
            if rule.extra["exclude_record_kinds"]:
                lines.append(f"Never for {_words(pack, rule.extra['exclude_record_kinds'])}.")
        elif rule.section == "access.trustees":
            lines.append("Decision: refuse, always.")
    elif rule.section == "subject_access.deadline":
        lines.append(f"Deadline: {rule.extra['amount']} {rule.extra['unit']}.")
    elif rule.section == "subject_access.rule":
        if rule.when:
            lines.append("Applies when " + "; ".join(f"{k.replace('_', ' ')} is {_words(pack, v)}"
                                                    for k, v in rule.when.items()) + ".")
        if "withhold" in rule.extra:
            lines.append(f"Withhold: {_words(pack, rule.extra['withhold'], 'and')}.")
        if "procedure" in rule.extra:
            lines.append(f"Steps: {_words(pack, rule.extra['procedure'], 'and')}.")
    elif rule.section == "retain.rule":
        lines.append("Applies to " + "; ".join(f"{k} {_words(pack, v)}" for k, v in rule.when.items()) + ".")
        if "period" in rule.extra:
            unit, n = rule.extra["period"]
            lines.append(f"Kept {n} {unit} after closing, then: {vocab.label(rule.extra['action'])}.")
        else:
            lines.append(f"Then: {vocab.label(rule.extra['action'])}.")
        if rule.extra.get("keep_only"):
            lines.append(f"Kept afterwards: only {_words(pack, rule.extra['keep_only'], 'and')}.")
    if rule.approvals:
        lines.append(f"Needs {_approvals(pack, rule.approvals)}.")
    if rule.obligations:
        lines.append(f"Then: {_words(pack, rule.obligations, 'and')}.")
    return lines


_WORDING = {
    "speculation": "speculation (guesses and opinions written as facts)",
    "judgement": "derogatory or labelling words about a person",
}


def _recording_lines(clause: dict[str, Any]) -> list[str]:
    """A `recording.factual` clause: how notes are written, checked while a note is written."""
    kinds = [_WORDING[k] for k in clause["covers"]]
    return [f"Writing notes [factual]: {clause['text']}",
            f"Confide points out {' and '.join(kinds)} in a note as it is written; it refuses nothing. "
            "Words in quotation marks, someone's own words, are not pointed out."]


def _wrap(text: str, first: bool) -> str:
    if first:
        return textwrap.fill(text, width=100, initial_indent="  - ", subsequent_indent="    ")
    return textwrap.fill(text, width=100, initial_indent="    ", subsequent_indent="      ")


def explain_pack(pack: Pack) -> str:
    """The pack in plain English, clause by clause."""
    spec = pack.spec
    out = [f"{pack.title}", f"{spec.source}", f"Policy pack '{pack.name}', version {pack.version}", ""]
    out.append("Services:")
    for s in pack.services.values():
        out.append(f"  - {s.label} ({s.name})" + (f": {s.description}" if s.description else ""))
    out.append("Roles:")
    for r in pack.roles.values():
        out.append(f"  - {r.label} ({r.name}, {r.kind})")
    c = spec.consent
    needs = {"explicit": "explicit", "written": "in writing", "covers_recipient": "covers this recipient",
             "covers_data": "covers this information", "capacity": "given with capacity"}
    out += ["", textwrap.fill("Consent is valid when it has been given, has not been withdrawn or expired, and is "
                              + ", ".join(needs[n] for n in sorted(c["requires"])) + f" (clause {c['clause']}). "
                              + c["text"], 100), ""]
    over_time = {"remind_withdrawal": "Confide reminds the worker every {every_days} days, for each consent in force, "
                                      "to remind the person of their right to withdraw it",
                 "to_support": "consent to support is asked for, and recorded, when a referral is taken",
                 "to_referral": "a referral is taken only when the person has consented to it"}
    for key, says in over_time.items():
        if c.get(key):
            out += [textwrap.fill(f"Consent over time (clause {c[key]['clause']}): {says.format(**c[key])}. "
                                  + c[key]["text"], 100), ""]
    entries = [(rule.clause, _rule_lines(pack, rule)) for rule in spec.all_rules()]
    entries += [(c["clause"], _recording_lines(c)) for c in spec.recording.get("factual", ())]
    current = None
    for clause, lines in sorted(entries, key=lambda e: clause_key(e[0])):  # stable: pack order within a clause
        if clause != current:
            current = clause
            out.append(f"Clause {clause}")
        for i, line in enumerate(lines):
            out.append(_wrap(line, i == 0))
    out.append("")
    out.append("Everything not allowed above is refused, with the reason recorded.")
    return "\n".join(out) + "\n"


_SIGNATURE_LINES = {
    "signed": "Signed",
    "date": "Date",
    "name": "Name",
    "professional": "Signature of professional / on behalf of agency",
}


def render_document(pack: Pack, name: str, organisation: str | None = None) -> str:
    """A client-facing document generated from the pack's own rules, naming `organisation` (the
    organisation running Confide) wherever the pack's words say {organisation}. Without one (the
    command line, no organisation), the pack's own title stands in: the document as the policy wrote it."""
    doc = pack.documents.get(name)
    if doc is None:
        names = ", ".join(sorted(pack.documents)) or "none"
        raise RequestError("--document", f"unknown document '{name}'; pack '{pack.name}' has: {names}")
    org = organisation.strip() if organisation and organisation.strip() else pack.title

    def named(text: str) -> str:
        return text.replace(ORGANISATION, org)

    rules = {r.id: r for r in [*pack.spec.prohibitions, *pack.spec.disclose_rules]}
    out = [named(doc["title"]), org, "", textwrap.fill(named(doc["intro"]), 100), ""]
    for i, rid in enumerate(doc["items"], 1):
        rule = rules[rid]
        # The pack loader refuses a document item whose rule has no client_text (schema.py).
        out.append(textwrap.fill(f"{i}) {named(rule.client_text)} (clause {rule.clause})", 100,  # type: ignore[arg-type]
                                 subsequent_indent="   "))
    if doc["consent_scope"]:
        out += ["", textwrap.fill("With your agreement we will share information with: "
                                  + _words(pack, doc["consent_scope"], "and") + ". We will ask for your consent "
                                  "again before sharing with anyone else.", 100)]
    if doc["closing"]:
        out += ["", textwrap.fill(named(doc["closing"]), 100)]
    out.append("")
    if doc["expiry"]:
        out.append("This consent will expire on: ____________________")
        out.append(textwrap.fill("After that date Confide treats this consent as expired and shares nothing under "
                                 "it; you can withdraw it sooner at any time.", 100))
        out.append("")
    for key in doc["signatures"]:
        out.append(f"{_SIGNATURE_LINES[key]}: ____________________")
    if doc["copy_to_signer"]:
        out += ["", "Always give a copy to the person signing this form."]
    if organisation is None:
        out += ["", f"Generated from policy pack '{pack.name}' version {pack.version} ({doc['clause']}): "
                    "these are the rules Confide enforces."]
    else:  # what a client is given names the organisation running Confide, never the pack's source
        out += ["", textwrap.fill(f"Generated from the confidentiality policy of {org}, version {pack.version} "
                                  f"({doc['clause']}): these are the rules Confide enforces.", 100)]
    return "\n".join(out) + "\n"


def documents_for(pack: Pack, kind: str, subject_role: str, service: str | None) -> list[dict[str, Any]]:
    """The pack's documents of this kind (limits_statement, consent_form) for a person in this
    subject role and service, in pack order. A staff declaration is never a client's document."""
    return [doc for doc in pack.documents.values()
            if kind in doc["kinds"] and "staff_declaration" not in doc["kinds"]
            and subject_role in doc["subject_roles"] and (not doc["services"] or service in doc["services"])]
