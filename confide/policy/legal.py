"""The UK GDPR / Data Protection Act 2018 conditions a permitted disclosure relies on.

Each pack rule that permits a disclosure names one basis from this catalogue; the decision then
carries the full text of the Article 6 condition, and of the Article 9 or Article 10 condition where
the data disclosed are special category or criminal offence data, so that a stored decision can be
explained years later even after the pack has changed.
"""

from __future__ import annotations

BASES: dict[str, dict[str, str]] = {
    "consent": {
        "label": "the subject's explicit consent",
        "art6": "UK GDPR Art 6(1)(a): consent",
        "art9": "UK GDPR Art 9(2)(a): explicit consent",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 29: consent",
    },
    "safeguarding": {
        "label": "safeguarding of children and of individuals at risk",
        "art6": "UK GDPR Art 6(1)(e) public task or Art 6(1)(f) legitimate interests",
        "art9": "UK GDPR Art 9(2)(g) with DPA 2018 Schedule 1 paragraph 18: safeguarding of children "
                "and of individuals at risk",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of "
                 "individuals at risk",
    },
    "vital_interests": {
        "label": "protecting someone's life",
        "art6": "UK GDPR Art 6(1)(d): vital interests",
        "art9": "UK GDPR Art 9(2)(c): vital interests of a person unable to give consent",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 30: protecting an individual's "
                 "vital interests",
    },
    "crime_prevention": {
        "label": "preventing or detecting crime",
        "art6": "UK GDPR Art 6(1)(e) public task or Art 6(1)(f) legitimate interests",
        "art9": "UK GDPR Art 9(2)(g) with DPA 2018 Schedule 1 paragraph 10: preventing or detecting "
                "unlawful acts",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 10: preventing or detecting "
                 "unlawful acts",
        "exemption": "DPA 2018 Schedule 2 paragraph 2: crime and taxation",
    },
    "legal_obligation": {
        "label": "a duty imposed by law",
        "art6": "UK GDPR Art 6(1)(c): legal obligation",
        "art9": "UK GDPR Art 9(2)(g) with DPA 2018 Schedule 1 paragraph 6: statutory purposes",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 6: statutory purposes",
        "exemption": "DPA 2018 Schedule 2 paragraph 5: disclosure required by law",
    },
    "legal_proceedings": {
        "label": "legal proceedings and orders of a court",
        "art6": "UK GDPR Art 6(1)(c): legal obligation",
        "art9": "UK GDPR Art 9(2)(f): legal claims and courts acting in their judicial capacity",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 33: legal claims",
        "exemption": "DPA 2018 Schedule 2 paragraph 5: disclosure required by law or in connection "
                     "with legal proceedings",
    },
    "contract_of_service": {
        "label": "the terms of a service the subject signed up to, told in advance",
        "art6": "UK GDPR Art 6(1)(e) public task or Art 6(1)(f) legitimate interests",
        "art9": "UK GDPR Art 9(2)(g) with DPA 2018 Schedule 1 paragraph 18: safeguarding of children "
                "and of individuals at risk",
        "art10": "UK GDPR Art 10 with DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of "
                 "individuals at risk",
    },
    "anonymised": {
        "label": "anonymised information, which is not personal data",
        "art6": "Not personal data once anonymised (UK GDPR Recital 26): no Article 6 condition needed",
    },
}


def basis_texts(basis: str, special: bool, criminal: bool) -> list[str]:
    """The legal basis of one permitted disclosure, as the strings stored with the decision."""
    entry = BASES[basis]
    out = [entry["art6"]]
    if special and "art9" in entry:
        out.append(entry["art9"])
    if criminal and "art10" in entry:
        out.append(entry["art10"])
    if "exemption" in entry:
        out.append(entry["exemption"])
    return out
