"""`confide policy lint`: where a pack departs from current UK law and guidance.

The shipped packs keep each organisation's rules as written; lint never changes a decision. It
says, for each departure, what the pack says (with its clause), what applies now and where that
comes from, so the organisation can decide. Findings come from the pack's structured fields
(subject-access deadline and fee, security rules, Caldicott principles, retention, channels) and from
the words of its rules and citations.
"""

from __future__ import annotations

import re
from typing import Any

from .compiler import Pack

# (topic, pattern, what applies now, source, severity)
_TEXT_CHECKS: list[tuple[str, re.Pattern[str], str, str, str]] = [
    ("Data Protection Act 1998", re.compile(r"Data Protection Act,? 1998", re.I),
     "The Data Protection Act 1998 was repealed on 25 May 2018. Personal data are now governed by the UK GDPR "
     "and the Data Protection Act 2018.",
     "Data Protection Act 2018, section 211 and Schedule 19 (repeal of the 1998 Act); UK GDPR (retained by the "
     "European Union (Withdrawal) Act 2018, as amended by the Data (Use and Access) Act 2025): "
     "legislation.gov.uk/ukpga/2018/12",
     "law"),
    ("Prevention of Terrorism Act", re.compile(r"Prevention of Terrorism", re.I),
     "The Prevention of Terrorism (Temporary Provisions) Acts were repealed; the duties to disclose information "
     "about terrorism are in the Terrorism Act 2000 (sections 19 and 38B). There was no Prevention of Terrorism "
     "Act 1971 (the first was in 1974).",
     "Terrorism Act 2000, sections 19 and 38B: legislation.gov.uk/ukpga/2000/11",
     "law"),
    ("Drug Trafficking Offences Act 1986", re.compile(r"Drug Trafficking Offences Act", re.I),
     "The Drug Trafficking Offences Act 1986 was replaced by the Drug Trafficking Act 1994, itself replaced for "
     "disclosures by Part 7 of the Proceeds of Crime Act 2002 (money laundering, sections 327 to 340).",
     "Proceeds of Crime Act 2002, Part 7: legislation.gov.uk/ukpga/2002/29/part/7",
     "law"),
    ("Freedom of Information", re.compile(r"Freedom of Information", re.I),
     "The Freedom of Information Act 2000 applies to public authorities, not to a charity; a client's right to "
     "see their own data is a subject-access request under UK GDPR Article 15.",
     "UK GDPR Article 15; Freedom of Information Act 2000, section 3 and Schedule 1", "law"),
    ("Inland Revenue", re.compile(r"Inland Revenue", re.I),
     "The Inland Revenue became part of HM Revenue & Customs in 2005.",
     "Commissioners for Revenue and Customs Act 2005", "guidance"),
    ("sensitive personal data", re.compile(r"sensitive personal (data|information)|8 categories", re.I),
     "'Sensitive personal data' (eight categories under the 1998 Act) is now 'special category data' "
     "(UK GDPR Article 9) plus criminal offence data (Article 10), with conditions in DPA 2018 Schedule 1.",
     "UK GDPR Articles 9 and 10; Data Protection Act 2018, Schedule 1", "law"),
    ("GDPR principles", re.compile(r"6 principles|six principles", re.I),
     "Since 1 January 2021 it is the UK GDPR. Its Article 5 has six principles plus accountability "
     "(Article 5(2)): the controller must be able to show it complies.",
     "UK GDPR Article 5; Data Protection, Privacy and Electronic Communications (Amendments etc) (EU Exit) "
     "Regulations 2019", "law"),
    ("Working Together 2013", re.compile(r"Working Together to Safeguard Children,? 2013", re.I),
     "Working Together to Safeguard Children 2013 has been replaced by the 2023 edition (updated 2024).",
     "Working Together to Safeguard Children 2023: gov.uk", "guidance"),
    ("vulnerable adult", re.compile(r"vulnerable adult", re.I),
     "Current safeguarding law speaks of an 'adult at risk' (an adult with care and support needs at risk of "
     "abuse or neglect); the duty to make enquiries is in the Care Act 2014.",
     "Care Act 2014, section 42", "guidance"),
]


def _walk(value: Any, path: tuple) -> list[tuple[tuple, str]]:
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _walk(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, path + (i,))
    elif isinstance(value, str):
        out.append((path, value))
    return out


def _clause_at(raw: dict[str, Any], path: tuple) -> str:
    """The clause of the nearest rule around a path in the raw pack."""
    node: Any = raw
    clause = "(pack)"
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "clause" in node:
            clause = str(node["clause"])
    return clause


def _line(pack: Pack, path: tuple) -> int | None:
    lines = pack.spec.lines
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def lint_pack(pack: Pack) -> list[dict[str, Any]]:
    """The departures of a pack from current UK law and guidance, in the order of the pack."""
    spec = pack.spec
    findings: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    by_topic: dict[str, dict[str, Any]] = {}

    def add(topic: str, clause: str, says: str, now: str, source: str, severity: str, line: int | None,
            *, merge: bool = False) -> None:
        if (topic, clause) in seen:
            return
        seen.add((topic, clause))
        if merge and topic in by_topic:  # the same outdated words in several clauses: one finding
            by_topic[topic]["clause"] += f", {clause}"
            return
        findings.append({"topic": topic, "clause": clause, "pack_says": says, "applies_now": now,
                         "source": source, "severity": severity, "line": line})
        if merge:
            by_topic[topic] = findings[-1]

    # Subject access: the deadline and the fee.
    sa = spec.subject_access
    deadlines = [(sa["deadline"], sa["deadline"].extra)]
    deadlines += [(r, r.extra["deadline"]) for r in sa["rules"] if "deadline" in r.extra]
    for rule, d in deadlines:
        if not (d["unit"] == "months" and d["amount"] == 1):
            add("subject-access deadline", rule.clause, f"{rule.text} ({d['amount']} {d['unit']})",
                "One calendar month from receipt (extendable by two further months only for complex or numerous "
                "requests, telling the requester within the first month). Every subject_access answer carries "
                "both due_on and statutory_due_on.",
                "UK GDPR Article 12(3); ICO guidance 'Right of access: time limits'", "law", rule.line)
    fees = [(sa["fee"], sa["fee"].extra["amount"])] if sa["fee"] else []
    fees += [(r, r.extra["fee"]) for r in sa["rules"] if r.extra.get("fee")]
    for rule, amount in fees:
        add("subject-access fee", rule.clause, f"{rule.text} ({amount})",
            "Free in most cases. A reasonable fee only where a request is manifestly unfounded or excessive, or "
            "for further copies; the £10 fee of the 1998 Act was abolished on 25 May 2018.",
            "UK GDPR Articles 12(5) and 15(3); ICO guidance 'Right of access: can we charge a fee?'", "law", rule.line)

    # Security: forced regular password changes.
    rotation = spec.security.get("password_rotation")
    if rotation:
        add("password changes", rotation["clause"], rotation["text"],
            "Do not force regular password changes: they lead to weaker, predictable passwords. Change a password "
            "when compromise is suspected; use a second factor (Confide requires one), a deny list of common "
            "passwords and throttling.",
            "NCSC, 'Password administration for system owners' (2018) and 'Multi-factor authentication for "
            "online services'", "guidance", rotation["line"])

    # Caldicott principles.
    cal = spec.caldicott
    if cal and cal["principles"] != 8:
        add("Caldicott principles", cal["clause"], f"{cal['principles']} Caldicott principles. {cal['text']}".strip(),
            "There are eight Caldicott Principles since December 2020; the eighth is: inform patients and service "
            "users about how their confidential information is used.",
            "National Data Guardian, 'The Eight Caldicott Principles' (December 2020)", "guidance", cal["line"])

    # Fax: allowed unless a prohibition rules it out.
    fax_banned = any("fax" in p.when.get("channel", ()) for p in spec.prohibitions)
    if not fax_banned:
        add("fax", "(no clause)", "The pack does not rule out sending confidential information by fax.",
            "Fax is not a secure channel: misdialled numbers and shared machines expose data. The NHS stopped "
            "using fax machines from 31 March 2020. Use secure email or a secure link.",
            "UK GDPR Articles 5(1)(f) and 32 (security of processing); NHS England fax machine ban, 2020",
            "guidance", None)

    # Retention: client files with no period.
    if not any("client_file" in r.when.get("kind", ()) and "period" in r.extra for r in spec.retain["rules"]):
        d = spec.retain["default"]
        add("retention period", d.clause, d.text,
            "Personal data must be kept no longer than necessary: set and publish a retention period for client "
            "files, and destroy them when it ends.",
            "UK GDPR Articles 5(1)(e) (storage limitation) and 13(2)(a)", "law", d.line)

    # Words of the pack: first what it cites, then the text of its rules.
    for cite in spec.cites:
        said = f"{cite['name']}: {cite['text']}" if cite["text"] else cite["name"]
        for topic, pattern, now, source, severity in _TEXT_CHECKS:
            if pattern.search(said):
                add(topic, cite["clause"], cite["text"] or cite["name"], now, source, severity, cite["line"],
                    merge=True)
    raw = {k: v for k, v in spec.raw.items() if k != "cites"}
    for path, text in _walk(raw, ()):
        for topic, pattern, now, source, severity in _TEXT_CHECKS:
            if pattern.search(text):
                add(topic, _clause_at(spec.raw, path), text, now, source, severity, _line(pack, path), merge=True)
    return findings
