"""`confide policy lint`: where a pack departs from current UK law and guidance.

The shipped packs keep each organisation's rules as written; lint never changes a decision. It
says, for each departure, what the pack says (with its clause), what applies now and where that
comes from, so the organisation can decide. Findings come from the pack's structured fields
(subject-access deadline, fee, procedure and withholding, security rules, Caldicott principles,
retention, channels, approvals), from asking the pack itself (can staff call the emergency services
when a life is at risk?), from the words of its rules and citations, and from what the pack does not
say at all (no complaints process, no breach process). The law is as it stands in December 2026,
with the Data (Use and Access) Act 2025 commenced.
"""

from __future__ import annotations

import re
from typing import Any

from . import vocab
from .compiler import Pack
from .errors import PolicyError

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
    ("subpoena", re.compile(r"subpoena", re.I),
     "The courts of England and Wales no longer issue subpoenas. A court requires a person to attend or to produce "
     "documents by a witness summons: in civil and family cases under Civil Procedure Rules Part 34 (since "
     "26 April 1999) or Family Procedure Rules Part 24, in criminal cases under the Criminal Procedure "
     "(Attendance of Witnesses) Act 1965 and Criminal Procedure Rules Part 17. A summons is a court order: "
     "produce only what it names, and you may ask the court to set it aside (for example to protect a "
     "victim's safety).",
     "Civil Procedure Rules, Part 34 (witness summonses); Family Procedure Rules 2010, Part 24; Criminal "
     "Procedure (Attendance of Witnesses) Act 1965, section 2; Criminal Procedure Rules, Part 17", "law"),
    ("Children Act 1989 section 47",
     re.compile(r"(section|s\.?) ?47\b.{0,600}\b48 hours|\b48 hours\b.{0,600}(section|s\.?) ?47\b", re.I | re.S),
     "Section 47 of the Children Act 1989 requires a local authority to make the enquiries it considers "
     "necessary where it has reasonable cause to suspect that a child who lives, or is found, in its area is "
     "suffering, or is likely to suffer, significant harm. The Act sets no 48-hour limit: the words 'within "
     "48 hours' are not in the section. Timescales for acting on a referral are in statutory guidance "
     "(Working Together to Safeguard Children 2023: a decision on the response within one working day of a "
     "referral). Quote the section as it is, and refer to your local safeguarding partners' procedures for "
     "timescales.",
     "Children Act 1989, section 47(1): legislation.gov.uk/ukpga/1989/41/section/47; Working Together to "
     "Safeguard Children 2023", "law"),
]

# Grounds on which a report to the police may be a legal duty, and telling the person may prejudice
# an investigation.
_REPORT_GROUNDS = frozenset({"terrorism", "money_laundering", "drug_trafficking"})
_STAFF_ROLES = frozenset({"staff", "volunteer", "applicant", "trustee", "contractor"})
_SAFEGUARDING_GROUNDS = frozenset({"child_at_risk_of_significant_harm", "adult_at_risk", "threat_to_life",
                                   "risk_to_subject", "risk_to_others"})

# What the pack's words say (or fail to say).
_SAR_CLOCK_SAID = re.compile(r"12A|clarif|stop(s|ping)? the clock|paus|further (two )?months|"
                             r"identity (is )?(confirmed|verified)", re.I)
_IN_WRITING = re.compile(r"\bin writing\b|\bwritten request", re.I)
_THIRD_PARTY_QUALIFIED = re.compile(r"consent|reasonable|Schedule 2|paragraph 16|in line with data protection law",
                                    re.I)
_INFORMS_OF_EVERY = re.compile(
    r"informed of (any|all|every) (communication|disclosure|contact)|"
    r"(told|informed) (of|about) (any|all|every) (communication|disclosure|contact|referral)|"
    r"kept informed of .{0,80}passing on information", re.I)
_INVESTIGATION_EXCEPTED = re.compile(
    r"prejudic\w* (the outcome of )?(any|an|the) (investigation|criminal proceedings)|tipping.off|"
    r"undermine the prevention, detection or prosecution", re.I)
_BREACH_PROCESS = re.compile(r"personal data breach|Article 33|72 hours|"
                             r"report\w* .{0,40}(ICO|Information Commissioner)", re.I)
_BREACH_MENTIONED = re.compile(r"breach(es)? of confidentiality", re.I)
_COMPLAINTS_PROCESS = re.compile(r"164A|complaints? (procedure|process|policy)|data protection complaint|"
                                 r"acknowledg\w* .{0,60}complaint", re.I)
_COMPLAINTS_MENTIONED = re.compile(r"complain", re.I)
_DOMESTIC_ABUSE = re.compile(r"domestic (abuse|violence)", re.I)
_CHILD_VICTIMS_SAID = re.compile(r"Domestic Abuse Act 2021|(victims?) in (their|his|her) own right|"
                                 r"see,? hear,? or experience|sees or hears", re.I)
_DUTY_TO_SHARE = re.compile(r"duty to share", re.I)
_IDENTIFIER = re.compile(r"[a-z0-9_]+")

# Record kinds (contract, retain) other than client files that every organisation using Confide keeps,
# with what applies to each.
_OTHER_RECORDS: list[tuple[str, str, str]] = [
    ("personnel_file", "personnel files",
     "Set a period for personnel files and destroy them when it ends: commonly six years after employment "
     "ends (the time limit for a claim under a contract), keeping longer only what a specific law requires."),
    ("volunteer_file", "volunteer files",
     "Set a period for volunteers' files (applications, references, DBS outcomes, supervision notes) and "
     "destroy them when it ends; keep a DBS certificate's details only as long as needed to show the check "
     "was made."),
    ("consent_form", "consent forms",
     "Set a period for signed consent forms: keep each as long as the information shared under it is held, "
     "so you can show the consent was given (UK GDPR Article 7(1)), then destroy it with the file."),
    ("audit_event", "the audit log",
     "Set a period for the audit log (who read, changed or shared which client's records): long enough to "
     "investigate a complaint or a breach about the client files it describes, and no longer."),
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


def _words(pack: Pack, section: str | None = None) -> list[tuple[str, str, str, int | None]]:
    """Every piece of text in the pack (or one top-level section) as (clause, text matched, text shown,
    line): first what it cites ("name: text"), then the rest of the pack in order."""
    spec = pack.spec
    out: list[tuple[str, str, str, int | None]] = []
    if section in (None, "cites"):
        for cite in spec.cites:
            said = f"{cite['name']}: {cite['text']}" if cite["text"] else cite["name"]
            out.append((cite["clause"], said, cite["text"] or cite["name"], cite["line"]))
    if section == "cites":
        return out
    raw = {k: v for k, v in spec.raw.items() if k != "cites" and (section is None or k == section)}
    for path, text in _walk(raw, ()):
        if path[-1] in ("clause", "id") or _IDENTIFIER.fullmatch(text):
            continue  # a clause number or heading, or a word of the vocabulary: not the policy's words
        out.append((_clause_at(spec.raw, path), text, text, _line(pack, path)))
    return out


def _first(words: list[tuple[str, str, str, int | None]], pattern: re.Pattern[str]):
    """The first text matching, preferring one under a clause of the policy."""
    hits = [w for w in words if pattern.search(w[1])]
    return next((w for w in hits if w[0] != "(pack)"), hits[0] if hits else None)


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _labels(pack: Pack, names: list[str] | tuple[str, ...]) -> str:
    return _or([pack.roles[n].label if n in pack.roles else n.replace("_", " ") for n in names])


def _approvers(pack: Pack, approvals: list[dict[str, Any]]) -> str:
    return " and then ".join(_labels(pack, a["any_of"]) for a in approvals)


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

    words = _words(pack)

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
                "UK GDPR Articles 12(3) and 12A; ICO guidance 'Right of access: time limits'", "law", rule.line)
    fees = [(sa["fee"], sa["fee"].extra["amount"])] if sa["fee"] else []
    fees += [(r, r.extra["fee"]) for r in sa["rules"] if r.extra.get("fee")]
    for rule, amount in fees:
        add("subject-access fee", rule.clause, f"{rule.text} ({amount})",
            "Free in most cases. A reasonable fee only where a request is manifestly unfounded or excessive, or "
            "for further copies; the £10 fee of the 1998 Act was abolished on 25 May 2018.",
            "UK GDPR Articles 12(5) and 15(3); ICO guidance 'Right of access: can we charge a fee?'", "law", rule.line)

    # Subject access: the clock of the Data (Use and Access) Act 2025.
    if not any(_SAR_CLOCK_SAID.search(w[1]) for w in _words(pack, "subject_access")):
        d = sa["deadline"]
        add("subject-access clock", d.clause,
            f"{d.text} The pack does not say when the time limit starts, that it stops while you wait for the "
            "requester to clarify the request, or how it may be extended.",
            "The month runs from the day the request is received or, if later, the day you receive what you "
            "reasonably asked for to confirm the requester's identity (or the authority of someone acting for "
            "them), or a fee where one may lawfully be charged. If you reasonably need the requester to "
            "clarify what they want, the clock stops from when you ask until they answer. You may extend by up "
            "to two further months where the request is complex or the person has made several requests, "
            "telling them, with your reasons, within the first month. You need only make a reasonable and "
            "proportionate search for their information.",
            "UK GDPR Article 12A (inserted by the Data (Use and Access) Act 2025, section 76, in force 5 February "
            "2026: Data (Use and Access) Act 2025 (Commencement No. 6 and Transitional and Saving Provisions) "
            "Regulations 2026) and Article 15(1A) (inserted by section 78 of that Act, in force on Royal Assent, "
            "19 June 2025, codifying the case law on reasonable searches); ICO guidance 'Right of access'",
            "law", d.line)

    # Subject access: a request need not be in writing.
    sa_rules = [sa["right"], sa["deadline"], *sa["procedure"], *sa["rules"]]
    for rule in sa_rules:
        steps = [rule.extra.get("step")] + list(rule.extra.get("procedure", ()))
        if "request_in_writing" in steps or _IN_WRITING.search(rule.text):
            add("subject-access request in writing", rule.clause, rule.text,
                "A subject-access request may be made verbally or in writing, including by email or social media, "
                "to anyone in the organisation; it need not mention the law or use a form. You may offer a form, "
                "but not insist on one: record a verbal request and confirm it back to the requester.",
                "UK GDPR Articles 12(2) and 15 (no form is required); ICO guidance 'Right of access', 'How do we "
                "recognise a subject access request (SAR)?'", "law", rule.line, merge=True)

    # Subject access: third-party information withheld whatever the circumstances.
    for rule in sa["rules"]:
        if "third_party" in rule.extra.get("withhold", ()) and not _THIRD_PARTY_QUALIFIED.search(rule.text):
            add("third-party information withheld", rule.clause, rule.text,
                "Information about another person is not withheld as a block. Give it where that person consents, "
                "or where it is reasonable to give it without their consent, weighing the kind of information, any "
                "duty of confidence owed to them, whether consent was sought, whether they can give it and whether "
                "they refused. First remove names and other identifying details: what can be given without "
                "identifying them must be given. It is usually reasonable to give information that identifies a "
                "professional (a social worker, a police officer) acting in their working role.",
                "Data Protection Act 2018, Schedule 2, paragraph 16; UK GDPR Article 15(4); ICO guidance 'Right of "
                "access', 'What should we do if the request involves information about other individuals?'",
                "law", rule.line, merge=True)

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
            "There are eight Caldicott Principles since December 2020; the seventh (2013) is the duty to share "
            "information for individual care, the eighth is: inform patients and service users about how their "
            "confidential information is used.",
            "National Data Guardian, 'The Eight Caldicott Principles' (December 2020)", "guidance", cal["line"])
    if cal and cal["principles"] < 7 and not _DUTY_TO_SHARE.search(cal["text"]):
        add("Caldicott duty to share", cal["clause"], f"{cal['principles']} Caldicott principles, none of them a "
            f"duty to share. {cal['text']}".strip(),
            "Principle 7: 'The duty to share information for individual care is as important as the duty to protect "
            "patient confidentiality.' Staff should have the confidence to share what is needed for a person's "
            "care and safety, supported by this policy; withholding information can harm as much as sharing it "
            "wrongly.",
            "Information Governance Review, 'Information: To share or not to share' (Caldicott, March 2013), "
            "principle 7 ('The duty to share information can be as important as the duty to protect patient "
            "confidentiality'); National Data Guardian, 'The Eight Caldicott Principles' (December 2020), "
            "principle 7 as reworded", "guidance", cal["line"])

    # Fax: allowed unless a prohibition rules it out.
    fax_banned = any("fax" in p.when.get("channel", ()) for p in spec.prohibitions)
    if not fax_banned:
        add("fax", "(no clause)", "The pack does not rule out sending confidential information by fax.",
            "Fax is not a secure channel: misdialled numbers and shared machines expose data. The NHS stopped "
            "using fax machines from 31 March 2020. Use secure email or a secure link.",
            "UK GDPR Articles 5(1)(f) and 32 (security of processing); NHS England fax machine ban, 2020",
            "guidance", None)

    # Safeguarding: consent demanded before any disclosure of some information, whatever the risk.
    for p in spec.prohibitions:
        about_staff = p.when.get("subject_role") and set(p.when["subject_role"]) <= _STAFF_ROLES
        if (not {"recipient", "relationship", "channel"} & set(p.when) and "consent" in p.unless
                and "grounds" not in p.unless and not about_staff):
            add("safeguarding without consent", p.clause, p.text,
                "Where a child or an adult at risk needs protecting, information (including special category "
                "information such as sexual violence or HIV status) may be shared without consent when consent "
                "cannot be given, cannot reasonably be expected, or seeking it would put the person at risk; "
                "share only what the protection needs, and record why. A rule that never allows it without "
                "permission can stop a safeguarding referral.",
                "Data Protection Act 2018, Schedule 1, paragraph 18 (safeguarding of children and of individuals at "
                "risk); Working Together to Safeguard Children 2023 (information sharing)", "law", p.line, merge=True)

    # Safeguarding: calling the emergency services when a life is at risk (asked of the pack itself).
    blocked: dict[tuple[str, str, str], list[str]] = {}  # (clause, rule text, what it needs) -> subject roles
    for service in pack.services.values():
        for role in service.subject_roles:
            try:
                ans = pack.decide({"action": "disclose", "subject": {"role": role, "service": service.name},
                                   "data": ["identity", "contact_details", "health"],
                                   "recipient": {"kind": "emergency_services"}, "grounds": ["threat_to_life"],
                                   "channel": "phone"})
            except PolicyError:  # a pack whose words cannot express the question: nothing to say
                continue
            if ans["decision"] == "permit":
                continue
            reason = ans["reasons"][0]
            needs = (f"first needs the approval of the {_approvers(pack, ans['approvals'])}"
                     if ans["decision"] == "permit_if_approved" else "is refused without the client's consent")
            roles = blocked.setdefault((reason["clause"], reason["text"], needs), [])
            if role not in roles:
                roles.append(role)
    if blocked:
        says = " ".join(
            f"Under clause {clause} ('{text}'), for a {_or([r.replace('_', ' ') for r in roles])}, telling the "
            f"emergency services that someone's life is at risk {needs}." for (clause, text, needs), roles in blocked.items())
        clauses = list(dict.fromkeys(clause for clause, _, _ in blocked))
        first = next((r for r in spec.all_rules() if r.clause == clauses[0]), None)
        add("calling the emergency services", ", ".join(clauses), says,
            "When someone's life is at risk, call 999 at once and give what the emergency services need; tell a "
            "manager afterwards and record why. No approval, and no consent, is needed to protect someone's "
            "vital interests, and none should delay the call.",
            "UK GDPR Articles 6(1)(d) and 9(2)(c) (vital interests); Data Protection Act 2018, Schedule 1, "
            "paragraph 18; Working Together to Safeguard Children 2023", "guidance", first.line if first else None)

    # Safeguarding and legal reports that a trustee (a lay member of the board) must approve.
    trustee_kinds = {name for name, role in pack.roles.items() if role.kind == "trustee"}
    for rule in spec.disclose_rules:
        grounds = set(rule.when.get("grounds", ()))
        vetoed = [a for a in rule.approvals if a.get("any_of") and set(a["any_of"]) <= trustee_kinds]
        if vetoed and grounds & (_SAFEGUARDING_GROUNDS | {"terrorism"}):
            add("trustee approval before a report", rule.clause,
                f"{rule.text} Approval by the {_approvers(pack, rule.approvals)} is required, and their refusal "
                "is final.",
                "A referral to protect a child or an adult at risk must not wait for, or be stopped by, a member of "
                "the management committee: anyone with a concern can refer to children's or adult social care, and "
                "in an emergency call 999. Consult the designated safeguarding lead, not the board. The duty to "
                "tell the police about information that may help prevent terrorism falls on the person who has "
                "it.",
                "Working Together to Safeguard Children 2023 (anyone with concerns about a child's welfare may "
                "refer to local authority children's social care); Care Act 2014, section 42; Terrorism Act "
                "2000, section 38B", "guidance", rule.line, merge=True)

    # Telling the client about a report about terrorism or money laundering.
    reports = [r for r in spec.disclose_rules if _REPORT_GROUNDS & set(r.when.get("grounds", ()))]
    if reports and not any(_INVESTIGATION_EXCEPTED.search(w[1]) for w in words):
        tells = [(r.clause, r.text, r.line) for r in reports if any(o.startswith("inform_subject")
                                                                     for o in r.obligations)]
        tells += [(w[0], w[2], w[3]) for w in words if _INFORMS_OF_EVERY.search(w[1])]
        for clause, text, line in tells:
            add("telling the client about a report", clause, text,
                "Information that may help prevent terrorism, or about terrorist funding learned at work, must be "
                "reported to the police; a suspicion of money laundering goes to the National Crime Agency. Telling the "
                "person concerned that such a report was made, or is being considered, may be an offence if it is "
                "likely to prejudice an investigation. Except these reports from any promise to tell clients or "
                "families about communications with other agencies, and take advice from the police before saying "
                "anything.",
                "Terrorism Act 2000, sections 19 and 38B (duty to disclose) and section 39 (disclosure prejudicing "
                "an investigation); Proceeds of Crime Act 2002, section 342 (prejudicing an investigation); in the "
                "regulated sector, tipping off: Terrorism Act 2000, section 21D and Proceeds of Crime Act 2002, "
                "section 333A", "law", line, merge=True)

    # Children in domestic abuse: victims in their own right.
    about = " ".join([spec.title, spec.source, *(f"{s.label} {s.description}" for s in pack.services.values())])
    if _DOMESTIC_ABUSE.search(about) and not any(_CHILD_VICTIMS_SAID.search(w[1]) for w in words):
        victim_only = [r for r in (*spec.prohibitions, *spec.disclose_rules)
                       if "victim" in r.when.get("subject_role", ()) and "child" not in r.when.get("subject_role", ())]
        if victim_only:
            clauses = list(dict.fromkeys(r.clause for r in victim_only))
            says = (f"The protections for victims ({', '.join(r.id for r in victim_only)}) apply to the adult victim "
                    "only; children appear only as the subject of child protection concerns.")
            line = victim_only[0].line
        else:
            child = [r for r in spec.disclose_rules
                     if "child_at_risk_of_significant_harm" in r.when.get("grounds", ())]
            clauses = list(dict.fromkeys(r.clause for r in child)) or ["(no clause)"]
            says = ("The pack's rules about children concern child protection (significant harm) only; none treats "
                    "a child who sees, hears or experiences domestic abuse as a victim.")
            line = child[0].line if child else None
        add("children as victims of domestic abuse", ", ".join(clauses), says,
            "A child who sees or hears, or experiences the effects of, domestic abuse, and is related to the victim "
            "or the abuser, is a victim of domestic abuse in their own right: record the child as a victim, assess "
            "their safety and needs, and give their information the same protection as the adult victim's "
            "(never to the abuser).",
            "Domestic Abuse Act 2021, section 3 (children as victims of domestic abuse), in force 31 January 2022",
            "law", line)

    # Retention: client files with no period.
    if not any("client_file" in r.when.get("kind", ()) and "period" in r.extra for r in spec.retain["rules"]):
        d = spec.retain["default"]
        add("retention period", d.clause, d.text,
            "Personal data must be kept no longer than necessary: set and publish a retention period for client "
            "files, and destroy them when it ends.",
            "UK GDPR Articles 5(1)(e) (storage limitation) and 13(2)(a)", "law", d.line)
    # Retention: the other records Confide keeps for every organisation.
    for kind, label, now in _OTHER_RECORDS:
        if not any(kind in r.when.get("kind", ()) and "period" in r.extra for r in spec.retain["rules"]):
            d = spec.retain["default"]
            add(f"retention period: {label}", d.clause, f"No period for {label}. {d.text}", now,
                "UK GDPR Article 5(1)(e) (storage limitation); ICO guidance 'Principle (e): Storage limitation'",
                "law", d.line)
    # Retention: every other kind of record the vocabulary names, with neither a period nor a return.
    covered = {"client_file", *(kind for kind, _, _ in _OTHER_RECORDS)}
    for kind in vocab.RECORD_KINDS:
        if kind in covered or kind not in pack._record_kinds:
            continue
        if not any(kind in r.when.get("kind", ()) and ("period" in r.extra or r.extra["action"] == "return_to_sender")
                   for r in spec.retain["rules"]):
            d = spec.retain["default"]
            label = kind.replace("_", " ")
            add(f"retention period: {kind}", d.clause, f"No period for records of kind '{kind}' ({label}). {d.text}",
                f"Set a period for {label} records and destroy them when it ends; until then Confide lists them "
                "for review and destroys none of them.",
                "UK GDPR Article 5(1)(e) (storage limitation); ICO guidance 'Principle (e): Storage limitation'",
                "law", d.line)
    for rule in spec.retain["rules"]:
        if rule.extra.get("keep_only"):
            kept = ", ".join(rule.extra["keep_only"])
            add("retention period: what is kept", rule.clause, f"{rule.text} ({kept} kept with no end date)",
                "What is kept for monitoring needs a period too, or must be kept only in anonymous, aggregate form. "
                "Racial or ethnic origin and sexual orientation are special category data: kept for equality "
                "monitoring, they need an appropriate policy document saying how long they are kept.",
                "UK GDPR Articles 5(1)(e) and 9; Data Protection Act 2018, Schedule 1, paragraphs 8 (equality of "
                "opportunity or treatment) and 39 (appropriate policy document: retention and erasure)",
                "law", rule.line)

    # What the pack does not say at all: a breach process, a complaints process.
    if not any(_BREACH_PROCESS.search(w[1]) for w in words):
        hit = _first(words, _BREACH_MENTIONED)
        says = (f"The pack speaks of breaches of confidentiality ('{hit[2]}') but has no process for a personal "
                "data breach (information lost, stolen, sent to the wrong person or seen by someone who should "
                "not see it)." if hit else
                "The pack has no process for a personal data breach (information lost, stolen, sent to the wrong "
                "person or seen by someone who should not see it).")
        add("breach notification", hit[0] if hit else "(no clause)", says,
            "Have a process to recognise, contain and record every personal data breach. Report one to the ICO "
            "without undue delay and, where feasible, within 72 hours of becoming aware of it, unless it is "
            "unlikely to result in a risk to people; tell the people affected without undue delay where it is "
            "likely to result in a high risk to them (a breach revealing where a victim of abuse lives is such "
            "a risk).",
            "UK GDPR Articles 33 and 34; ICO guidance 'Personal data breaches: a guide'", "law",
            hit[3] if hit else None)
    if not any(_COMPLAINTS_PROCESS.search(w[1]) for w in words):
        hit = _first(words, _COMPLAINTS_MENTIONED)
        says = (f"The pack mentions complaints ('{hit[2]}') but sets out no process for complaints about how "
                "personal data are handled." if hit else
                "The pack has no process for complaints about how personal data are handled.")
        add("data protection complaints", hit[0] if hit else "(no clause)", says,
            "Since 19 June 2026 every controller must make it easy to complain about how it handles personal "
            "data (for example a complaint form that can be completed electronically and in other ways), "
            "acknowledge each complaint within 30 days of receiving it, look into it and keep the person "
            "informed without undue delay, and tell them the outcome. Tell people of this right, including in "
            "subject-access answers.",
            "Data Protection Act 2018, section 164A (inserted by the Data (Use and Access) Act 2025, section 103; "
            "in force 19 June 2026: Data (Use and Access) Act 2025 (Commencement No. 6 and Transitional and "
            "Saving Provisions) Regulations 2026); ICO guidance 'How to deal with data protection complaints'",
            "law", hit[3] if hit else None)

    # Words of the pack: first what it cites, then the text of its rules.
    for clause, said, shown, line in words:
        for topic, pattern, now, source, severity in _TEXT_CHECKS:
            if pattern.search(said):
                add(topic, clause, shown, now, source, severity, line, merge=True)
    return findings
