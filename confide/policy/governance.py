"""What a pack says about the people who hold the records (issue 16): the declarations they sign and
the induction they have before they reach client data, the training they refresh, who a breach is
escalated to, and who answers complaints about data protection.

A pack's `governance` section (optional; a pack without it asks for nothing and the pages say so):

    governance:
      declarations:            # signed before access when before_access is true
        - id: confidentiality_agreement
          title: "{organisation} confidentiality agreement"
          clause: Confidentiality Agreement
          text: Who signs it and why, as the policy says.
          wording: What the signer declares (its version is a hash of these words).
          signed_by: staff     # staff (an account, by kind), contractor or partner_agency (a name)
          for: {kinds: [worker, volunteer, manager]}
          before_access: true
          refresh_months: 12   # optional: signed again after this long
      induction:  {clause, text, for: {kinds: [...]}}   # recorded by a manager before access
      training:   [{id, title, clause, text, for: {kinds: [...]}, refresh_months}]
      personnel:  {clause, text, medical: {clause, text}, monitoring: {clause, text},
                   references: {clause, text}, contact_requests: {clause, text}}
      breaches:   {clause, text, chain: [{roles: [...], clause, text, in_turn?}], never: [roles],
                   disciplinary: {clause, text}}
      complaints: {clause, text, handled_by: [roles], independent: true}

Who may READ a personnel file or its sealed medical section is not here: it is the `access`
section's answer (record kinds `personnel_file` and `medical_record`), asked through the gate like
any client record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from confide.policy import vocab

SIGNERS = ("staff", "contractor", "partner_agency")
STAFF_KINDS = frozenset(vocab.ROLE_KINDS)


@dataclass(frozen=True)
class Declaration:
    id: str
    title: str
    clause: str
    text: str
    wording: str
    signed_by: str
    kinds: frozenset[str]
    before_access: bool
    refresh_months: int | None

    @property
    def version(self) -> str:
        """The wording's version: the first 12 hex digits of its SHA-256, so a changed wording is a
        new version everyone signs again."""
        return hashlib.sha256(self.wording.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    clause: str
    text: str
    kinds: frozenset[str]
    refresh_months: int | None


@dataclass(frozen=True)
class Step:
    roles: tuple[str, ...]
    clause: str
    text: str
    # "The Chair, or failing that the Vice Chair" (Day-Mer): told in turn, the first role someone holds
    # today; otherwise every role of the step is told.
    in_turn: bool = False


def parse(parser: Any, raw: Any, roles: frozenset[str]) -> dict[str, Any]:
    """The `governance` section, checked with the pack parser's readers (clear errors with lines)."""
    top: tuple = ("governance",)
    if raw is None:
        return {"declarations": [], "induction": None, "training": [], "personnel": {}, "breaches": None,
                "complaints": None}
    raw = parser.mapping(raw, top, {"declarations", "induction", "training", "personnel", "breaches", "complaints"})

    def clause_text(body: Any, path: tuple, extra: frozenset[str] | set[str] = frozenset(),
                    required: frozenset[str] | set[str] = frozenset()) -> dict:
        body = parser.mapping(body, path, {"clause", "text", *extra}, {"clause", "text", *required})
        return {"clause": parser._clause(body["clause"], path + ("clause",)),
                "text": parser.string(body["text"], path + ("text",)), "raw": body}

    def kinds(body: dict, path: tuple) -> frozenset[str]:
        fors = parser.mapping(body["for"], path + ("for",), {"kinds"}, {"kinds"})
        return frozenset(parser.words(fors["kinds"], path + ("for", "kinds"), STAFF_KINDS, "kind of role"))

    def months(body: dict, path: tuple) -> int | None:
        return parser.integer(body["refresh_months"], path + ("refresh_months",), 1) \
            if "refresh_months" in body else None

    declarations, seen = [], set()
    for i, body in enumerate(raw.get("declarations", []) or []):
        p: tuple = top + ("declarations", i)
        ct = clause_text(body, p, {"id", "title", "wording", "signed_by", "for", "before_access", "refresh_months"},
                         {"id", "title", "wording", "signed_by"})
        did = parser.name(body["id"], p + ("id",))
        if did in seen:
            raise parser.err(p + ("id",), f"declaration '{did}' is named twice")
        seen.add(did)
        signed_by = parser.words(body["signed_by"], p + ("signed_by",), frozenset(SIGNERS), "signer")[0]
        if signed_by == "staff" and "for" not in body:
            raise parser.err(p, "a declaration staff sign says which kinds of role sign it (for: {kinds: [...]})")
        before = parser.boolean(body.get("before_access", False), p + ("before_access",))
        if before and signed_by != "staff":
            raise parser.err(p + ("before_access",), "only a declaration staff sign can stand before access")
        declarations.append(Declaration(
            did, parser.string(body["title"], p + ("title",)), ct["clause"], ct["text"],
            parser.string(body["wording"], p + ("wording",)), signed_by,
            kinds(body, p) if "for" in body else frozenset(), before, months(body, p)))

    induction = None
    if raw.get("induction") is not None:
        p = top + ("induction",)
        ct = clause_text(raw["induction"], p, {"for"}, {"for"})
        induction = {"clause": ct["clause"], "text": ct["text"], "kinds": kinds(raw["induction"], p)}

    training, seen = [], set()
    for i, body in enumerate(raw.get("training", []) or []):
        p = top + ("training", i)
        ct = clause_text(body, p, {"id", "title", "for", "refresh_months"}, {"id", "title", "for"})
        mid = parser.name(body["id"], p + ("id",))
        if mid in seen:
            raise parser.err(p + ("id",), f"training module '{mid}' is named twice")
        seen.add(mid)
        training.append(Module(mid, parser.string(body["title"], p + ("title",)), ct["clause"], ct["text"],
                               kinds(body, p), months(body, p)))

    personnel: dict[str, dict[str, str]] = {}
    if raw.get("personnel") is not None:
        p = top + ("personnel",)
        parts = {"medical", "monitoring", "references", "contact_requests"}
        ct = clause_text(raw["personnel"], p, parts)
        personnel["file"] = {"clause": ct["clause"], "text": ct["text"]}
        for part in sorted(parts & set(raw["personnel"])):
            sub = clause_text(raw["personnel"][part], p + (part,))
            personnel[part] = {"clause": sub["clause"], "text": sub["text"]}

    def role_words(value: Any, path: tuple) -> tuple[str, ...]:
        return parser.words(value, path, roles, "role")

    breaches = None
    if raw.get("breaches") is not None:
        p = top + ("breaches",)
        ct = clause_text(raw["breaches"], p, {"chain", "never", "disciplinary"}, {"chain"})
        chain = []
        for i, body in enumerate(raw["breaches"]["chain"] or []):
            sp = p + ("chain", i)
            sct = clause_text(body, sp, {"roles", "in_turn"}, {"roles"})
            in_turn = parser.boolean(body["in_turn"], sp + ("in_turn",)) if "in_turn" in body else False
            chain.append(Step(role_words(body["roles"], sp + ("roles",)), sct["clause"], sct["text"], in_turn))
        if not chain:
            raise parser.err(p + ("chain",), "a breach is escalated to at least one role")
        never = frozenset(role_words(raw["breaches"]["never"], p + ("never",))) \
            if "never" in raw["breaches"] else frozenset()
        for i, step in enumerate(chain):
            if never & set(step.roles):
                raise parser.err(p + ("chain", i, "roles"), "the chain names a role the pack says never hears of a breach")
        disciplinary = None
        if "disciplinary" in raw["breaches"]:
            d = clause_text(raw["breaches"]["disciplinary"], p + ("disciplinary",))
            disciplinary = {"clause": d["clause"], "text": d["text"]}
        breaches = {"clause": ct["clause"], "text": ct["text"], "chain": tuple(chain), "never": never,
                    "disciplinary": disciplinary}

    complaints = None
    if raw.get("complaints") is not None:
        p = top + ("complaints",)
        ct = clause_text(raw["complaints"], p, {"handled_by", "independent"}, {"handled_by"})
        handled_by = frozenset(role_words(raw["complaints"]["handled_by"], p + ("handled_by",)))
        independent = parser.boolean(raw["complaints"].get("independent", False), p + ("independent",))
        if independent and breaches and any(set(s.roles) & handled_by for s in breaches["chain"]):
            raise parser.err(p + ("handled_by",), "an independent complaints handler is not in the breach chain")
        complaints = {"clause": ct["clause"], "text": ct["text"], "handled_by": handled_by, "independent": independent}

    return {"declarations": declarations, "induction": induction, "training": training, "personnel": personnel,
            "breaches": breaches, "complaints": complaints}


# -- questions the apps ask ----------------------------------------------------------------------

def _gov(pack: Any) -> dict[str, Any]:
    return pack.spec.governance


def declarations(pack: Any) -> list[Declaration]:
    return list(_gov(pack)["declarations"])


def declaration(pack: Any, did: str) -> Declaration | None:
    return next((d for d in _gov(pack)["declarations"] if d.id == did), None)


def declarations_for(pack: Any, role: str) -> list[Declaration]:
    """The declarations a person in this role signs."""
    kind = pack.spec.roles[role].kind
    return [d for d in _gov(pack)["declarations"] if d.signed_by == "staff" and kind in d.kinds]


def required_before_access(pack: Any, role: str) -> list[Declaration]:
    return [d for d in declarations_for(pack, role) if d.before_access]


def induction(pack: Any) -> dict[str, Any] | None:
    return _gov(pack)["induction"]


def needs_induction(pack: Any, role: str) -> bool:
    ind = _gov(pack)["induction"]
    return bool(ind) and pack.spec.roles[role].kind in ind["kinds"]


def training_for(pack: Any, role: str) -> list[Module]:
    kind = pack.spec.roles[role].kind
    return [m for m in _gov(pack)["training"] if kind in m.kinds]


def training(pack: Any) -> list[Module]:
    return list(_gov(pack)["training"])


def personnel(pack: Any) -> dict[str, dict[str, str]]:
    return dict(_gov(pack)["personnel"])


def breach_chain(pack: Any) -> tuple[Step, ...]:
    b = _gov(pack)["breaches"]
    return b["chain"] if b else ()


def breach_rules(pack: Any) -> dict[str, Any] | None:
    return _gov(pack)["breaches"]


def never_told_of_breaches(pack: Any) -> frozenset[str]:
    b = _gov(pack)["breaches"]
    return b["never"] if b else frozenset()


def complaints(pack: Any) -> dict[str, Any] | None:
    return _gov(pack)["complaints"]
