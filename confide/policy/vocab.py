"""The core vocabulary of the policy decision contract (shared/design/policy-contract.md).

The core words mean the same in every pack; a pack may add its own words on top (its own
services, roles, purposes, data categories, grounds, obligations) but never redefine these.
An unknown word in a request is rejected, and an unknown word in a pack stops the pack loading:
nothing fails open.
"""

from __future__ import annotations

SUBJECT_ROLES = (
    "service_user", "victim", "perpetrator", "parent", "child", "family_member",
    "staff", "volunteer", "applicant", "trustee", "contractor",
)

DATA = (
    "identity", "contact_details", "safe_contact", "home_address", "case_notes",
    "risk_assessment", "attendance", "health", "sexual_violence", "hiv_status", "criminal_record",
    "substance_use", "third_party", "personnel", "medical_record", "equal_opportunities",
    "statistics", "case_study",
)

RECIPIENT_KINDS = (
    "police", "social_services", "childrens_services", "gp", "health",
    "maternity_social_work", "probation", "court", "cafcass", "partner_agency", "referrer",
    "other_scheme", "family_member", "partner", "ex_partner", "employer", "funder", "trustees",
    "researcher", "emergency_services", "hmrc", "regulator", "auditor", "public",
)

GROUNDS = (
    "child_at_risk_of_significant_harm", "adult_at_risk", "risk_to_others",
    "risk_to_subject", "threat_to_life", "serious_crime", "terrorism", "court_order",
    "duty_to_court", "drug_trafficking", "money_laundering", "benefit_fraud",
    "expectant_mother_substance_use", "serious_incident", "safeguarding_transfer", "statutory_duty",
)

RECORD_KINDS = (
    "client_file", "personnel_file", "volunteer_file", "unsuccessful_application",
    "monitoring_form", "unsolicited_information", "consent_form", "audit_event",
)

RECORD_FLAGS = ("family_court_risk_assessment", "legal_hold")

WITHHOLD = ("third_party", "risk_to_others", "records_of_contact", "legally_privileged")

# What a record compiled for a subject-access request may contain (the request's `record_contains`).
RECORD_CONTENTS = (
    "third_party", "requester_children", "case_management_decisions", "multi_agency",
    "records_of_contact", "legally_privileged", "risk_to_others", "health", "criminal_record",
    "referrer_information",
)

CONSENT_STATUS = ("given", "refused", "withdrawn", "expired", "not_sought")

CHANNELS = ("fax", "email", "secure_email", "phone", "post", "in_person", "secure_link")

OBLIGATIONS = (
    "record_reasons", "record_decision", "inform_subject",
    "inform_subject_unless_increases_risk", "minimise_data", "anonymise",
    "verify_requester_identity", "encourage_self_report", "call_emergency_services_now",
    "notify_line_manager", "inform_trustees", "give_copy_of_consent_form", "explain_consequences",
    # Additions of this engine (the contract says obligations are extendable).
    "use_secure_channel", "flag_for_review", "share_on_agreed_terms_only", "explore_implications",
    "sign_record_of_access",
    # Told before anything goes, not after (confide.policy.steps): Day-Mer's health and safety
    # breach, Derbyshire's "explain at the outset ... the exception ... increased risk".
    "inform_subject_before", "inform_subject_before_unless_increases_risk",
)

# Purposes are not listed in the contract's core; these are the ones every pack understands.
PURPOSES = (
    "direct_support", "supervision", "cover", "advice", "case_management", "child_protection",
    "safeguarding", "referral", "liaison", "court_report", "risk_management", "audit",
    "quality_assurance", "statistics", "research", "subject_access", "complaint", "line_management",
    "payroll", "emergency",
)

# The purposes a list of clients is asked for: one's own caseload (direct support), and the team's
# for cover, supervision and advice. Which of them a person is offered is the pack's answer
# (confide/policy/filters.py purposes_for_lists), never this list's.
LIST_PURPOSES = ("direct_support", "cover", "supervision", "advice")

# The contract's `access` answers whether a person may READ a record for a purpose. Adding to a
# client's file (an entry, a person, safe contact details, a case's stage) is work on the case, so
# only a purpose that is work on the case lets the reader write too; opening a file for
# supervision, advice, an audit or a subject access request reads it and changes nothing.
WRITING_PURPOSES = frozenset({"direct_support", "cover", "emergency", "child_protection", "risk_management",
                              "safeguarding"})

SUBJECT_ACCESS_STEPS = (
    "request_in_writing", "send_to_data_controller", "verify_requester_identity",
    "declaration_required", "acknowledge_and_send_policy", "explain_consequences",
    "offer_supported_reading", "redact_third_parties", "provide_copy",
)

# What the factual-note check (wording.py) looks for; a pack's `recording.factual` clauses say which
# of these their policy rules out ("covers"). Speculation: guesses and opinions written as facts.
# Judgement: derogatory or labelling words about a person.
WORDING_KINDS = ("speculation", "judgement")

ROLE_KINDS = ("worker", "volunteer", "manager", "data_controller", "trustee", "administrator")
REQUIRED_ROLE_KINDS = ("worker", "manager", "data_controller", "trustee")

# What each kind of role does in Confide beyond the pack's own rules (who may read or share what, and
# who approves, are the pack's). A pack names its roles and gives each a kind; the services and pages
# ask these sets, and never write a role's name or kind out where they decide something
# (tests/policy/test_rules_in_one_place.py).
CASEWORK_KINDS = frozenset({"worker", "volunteer"})  # hold a caseload: their own clients come first
# Keep the partner directory and its agreements; see their clients and the team's, as workers do.
MANAGER_KINDS = frozenset({"manager", "data_controller"})
# Manage a team: review its people's break-glass openings (the line manager of DVIP 1.01's
# `notify_line_manager`), take the notices meant for its manager, open an urgent task's file to
# manage the risk.
LINE_MANAGER_KINDS = frozenset({"manager"})
# Answer for the audit log: its head on the home page, a record of access read for an audit.
AUDITOR_KINDS = frozenset({"data_controller"})
# Briefed on the facts, never a client's name (Day-Mer: "without confidentiality being breached"):
# anonymised figures only; no client list, no partner directory, no break-glass queue.
NAMELESS_KINDS = frozenset({"trustee"})
TEAMLESS_KINDS = frozenset({"trustee"})  # the only people who may belong to no team
ADMINISTRATOR_KINDS = frozenset({"administrator"})  # keep the list of staff

# The purposes a personnel file is read for (confide/staffing/access.py asks them in this order; a pack
# that does not know one, personnel_review being Home-Start's own, answers it with a refusal), and those
# that let the reader write to the file too: the line manager's notes, the data controller placing a
# certificate on file for payroll (DVIP 8.07). A review reads and changes nothing.
PERSONNEL_PURPOSES = ("line_management", "payroll", "quality_assurance", "personnel_review")
PERSONNEL_WRITING_PURPOSES = frozenset({"line_management", "payroll"})
# The parts of a personnel file each purpose opens: payroll needs where to send pay slips and forms,
# not probation notes or references given in confidence (DVIP 8.02, 8.05, 8.07). The sealed medical
# section is asked about on its own (access.sealed).
PERSONNEL_PARTS = ("notes", "contact", "references")
PERSONNEL_PURPOSE_PARTS = {"payroll": ("contact",)}


def personnel_parts(purpose: str) -> tuple[str, ...]:
    return PERSONNEL_PURPOSE_PARTS.get(purpose, PERSONNEL_PARTS)

# The purposes for which a list could name a client to an approver of a request to share: their own
# client, or their team's for supervision. Otherwise they decide on the facts with a client number.
NAMING_PURPOSES = ("direct_support", "supervision")
# The purposes a client's record of access is read for (Home-Start 9.1: the Record of Access Form):
# one's own client, supervision or a review, and the data controller's audit.
RECORD_OF_ACCESS_PURPOSES = ("direct_support", "supervision", "audit")

DECISIONS = ("permit", "permit_if_approved", "deny")
DECISION_RANK = {"permit": 2, "permit_if_approved": 1, "deny": 0}

# UK GDPR Art 9 special category data among the core data words (health, sex life or sexual
# orientation, racial or ethnic origin). Packs may widen this (JustUs 2.2 treats all client data
# as sensitive).
SPECIAL_CATEGORY_DATA = (
    "health", "sexual_violence", "hiv_status", "substance_use", "medical_record", "equal_opportunities",
)
# UK GDPR Art 10 criminal offence data among the core data words.
CRIMINAL_OFFENCE_DATA = ("criminal_record",)

# Plain-English labels for words whose name alone reads badly; every other word is shown
# with its underscores turned into spaces.
LABELS = {
    "gp": "GP",
    "hmrc": "HM Revenue & Customs",
    "cafcass": "Cafcass",
    "hiv_status": "HIV status",
    "childrens_services": "children's services",
    "ex_partner": "ex-partner",
    "child_at_risk_of_significant_harm": "a child at risk of significant harm",
    "adult_at_risk": "an adult at risk",
    "threat_to_life": "an immediate threat to life",
    "court_order": "an order of a court",
    "case_notes": "case notes",
    "safe_contact": "safe contact details",
    "equal_opportunities": "equal opportunities monitoring data",
    "permit_if_approved": "permit if approved",
    "inform_subject_before": "tell the client first",
    "inform_subject_before_unless_increases_risk": "tell the client first, unless that would raise the risk",
}


def label(word: str | None) -> str:
    """A word of the vocabulary in plain English."""
    if word is None:
        return "none"
    return LABELS.get(word, word.replace("_", " "))


def pack_word(pack, code: str) -> str | None:
    """A word as the pack itself names it (its labels, then its services' and roles' labels), begun
    with a capital; None where the pack has no name of its own for it. The one lookup the pages and
    the subject-access copy share."""
    if code in pack.spec.labels:
        text = pack.spec.labels[code]
        return text[:1].upper() + text[1:]
    if code in pack.services:
        return pack.services[code].label
    if code in pack.roles:
        return pack.roles[code].label
    return None


def heading(word: str) -> str:
    """label(), begun with a capital, as a list item or a field's value reads on a page."""
    text = label(word)
    return text[:1].upper() + text[1:]
