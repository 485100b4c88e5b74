"""The pack schema: what a policy pack may say, checked field by field.

`parse_pack` turns a parsed YAML document into a `PackSpec` of plain, validated values, or raises
`PackError` naming the file, the line and the field. Everything a later stage relies on is checked
here: every word belongs to the core vocabulary or to the pack's own additions, every rule cites a
clause, every rule that lets information leave without consent names a ground (or works only on
anonymised information), every permit names its legal basis, and no ground can unlock an absolute
prohibition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import governance, legal, vocab
from .yamlsrc import Path, Source

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    kind: str
    services: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Service:
    name: str
    label: str
    subject_roles: tuple[str, ...] = ()
    description: str = ""


@dataclass
class Rule:
    """One rule of a pack, as written (before compilation)."""

    section: str            # disclose.rule, disclose.prohibition, access.grant, subject_access.rule, ...
    id: str
    clause: str
    text: str
    when: dict[str, Any] = field(default_factory=dict)
    unless: dict[str, Any] = field(default_factory=dict)
    decision: str = "deny"
    approvals: list[dict[str, Any]] = field(default_factory=list)
    obligations: tuple[str, ...] = ()
    basis: str | None = None
    client_text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    line: int | None = None


@dataclass
class PackSpec:
    name: str
    version: str
    title: str
    source: str
    filename: str
    vocab: dict[str, frozenset[str]]
    labels: dict[str, str]
    services: dict[str, Service]
    roles: dict[str, Role]
    consent: dict[str, Any]
    special_category: frozenset[str]
    criminal_offence: frozenset[str]
    criminal_offence_roles: frozenset[str]
    disclose_default: Rule
    prohibitions: list[Rule]
    disclose_rules: list[Rule]
    access: dict[str, Any]
    subject_access: dict[str, Any]
    retain: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    cites: list[dict[str, Any]]
    security: dict[str, Any]
    caldicott: dict[str, Any] | None
    raw: dict[str, Any]
    lines: dict[tuple, int] = field(default_factory=dict)
    # How notes are written (optional): {"factual": [clause, ...]}, each clause a dict with "clause",
    # "text", "covers" (the kinds of wording it rules out, from vocab.WORDING_KINDS) and "line"; the
    # first is the one the pack names under `factual`, then its `also` clauses in order. Empty when the
    # policy says nothing about it. Read by wording.check_wording.
    recording: dict[str, Any] = field(default_factory=dict)
    # The people who hold the records (confide/policy/governance.py): declarations, induction,
    # training, personnel-file clauses, the breach chain and who answers complaints.
    governance: dict[str, Any] = field(default_factory=dict)
    # disclose.refusals: which clause refuses, when no rule permits (the first that holds; else the
    # default). disclose.always: obligations added to every answer whose request they hold for.
    disclose_refusals: list[Rule] = field(default_factory=list)
    disclose_always: list[Rule] = field(default_factory=list)

    def all_rules(self) -> list[Rule]:
        out = [self.disclose_default, *self.prohibitions, *self.disclose_rules, *self.disclose_refusals,
               *self.disclose_always]
        acc = self.access
        out += [acc["default"], acc["trustees"], acc["sealed"], *acc["grants"], acc["break_glass"]]
        sa = self.subject_access
        out += [sa["right"], sa["deadline"], *([sa["fee"]] if sa["fee"] else []), *sa["procedure"], *sa["rules"]]
        out += [self.retain["default"], *self.retain["rules"]]
        return out


# --- vocabulary ------------------------------------------------------------------------------------

_VOCAB_SECTIONS = {
    "subject_roles": vocab.SUBJECT_ROLES,
    "data": vocab.DATA,
    "recipient_kinds": vocab.RECIPIENT_KINDS,
    "grounds": vocab.GROUNDS,
    "purposes": vocab.PURPOSES,
    "obligations": vocab.OBLIGATIONS,
    "record_kinds": vocab.RECORD_KINDS,
    "record_flags": vocab.RECORD_FLAGS,
    "record_contents": vocab.RECORD_CONTENTS,
    "subject_access_steps": vocab.SUBJECT_ACCESS_STEPS,
    "keep_only_fields": (),
}

# Consent over time: optional keys of `consent`, each with its clause and text, and the further keys it needs.
CONSENT_OVER_TIME = {"remind_withdrawal": ("every_days",), "to_support": (), "to_referral": ()}

# What a pack document is: a statement of the limits of confidentiality for the people it is for, a
# consent form they sign, or a declaration staff sign (never offered to a client).
DOCUMENT_KINDS = ("limits_statement", "consent_form", "staff_declaration")
# How a client was told the limits of confidentiality (a document's `ways`).
TELLING_WAYS = ("given", "explained_in_person", "explained_by_phone", "signed")
# The one placeholder a document's words may hold: the name of the organisation running Confide.
ORGANISATION = "{organisation}"
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")

# Disclosure conditions: key -> (kind of value, vocabulary it draws on)
DISCLOSE_CONDITIONS = {
    "subject_role": ("words", "subject_roles"),
    "service": ("words", "services"),
    "recipient": ("words", "recipient_kinds"),
    "relationship": ("words", "relationships"),
    "data": ("words", "data"),
    "data_only": ("words", "data"),
    "purpose": ("words", "purposes"),
    "grounds": ("words", "grounds"),
    "grounds_only": ("words", "grounds"),  # no ground claimed outside these (none claimed: holds)
    "channel": ("words", "channels"),
    "consent": ("valid", None),
    "anonymised": ("bool", None),
    "identity_verified": ("bool", None),
    "requester_role": ("words", "roles"),
    "subject_under_age": ("int", None),
}
# What may unlock a prohibition: consent or anonymisation or the recipient, never a ground.
UNLESS_CONDITIONS = ("consent", "anonymised", "recipient", "data_only", "identity_verified", "requester_role")
# Consent requirements (`consent.requires`, and a subject role's further `requires`).
CONSENT_REQUIREMENTS = frozenset({"explicit", "written", "covers_recipient", "covers_data", "capacity"})

ACCESS_CONDITIONS = {
    "kinds": ("words", "role_kinds"),
    "roles": ("words", "roles"),
    "assigned": ("bool", None),
    "same_team": ("bool", None),
    "own_service": ("bool", None),
    "purpose": ("words", "purposes"),
    "record_kind": ("words", "access_record_kinds"),
    "service": ("words", "services"),
}

SAR_CONDITIONS = {
    "requester_role": ("words", "subject_roles"),
    "service": ("words", "services"),
    "record_contains": ("words", "record_contents"),
}

RETAIN_CONDITIONS = {
    "kind": ("words", "record_kinds"),
    "service": ("words", "services"),
    "flags": ("words", "record_flags"),
}


class _Parser:
    def __init__(self, src: Source) -> None:
        self.src = src

    # -- small typed readers ---------------------------------------------------------------
    def err(self, path: Path, message: str) -> Exception:
        return self.src.error(path, message)

    def mapping(self, value: Any, path: Path, allowed: set[str], required: set[str] | frozenset[str] = frozenset()) -> dict:
        if not isinstance(value, dict):
            raise self.err(path, f"expected a mapping, found {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.err(path + (key,), f"unknown field; expected one of: {', '.join(sorted(allowed))}")
        for key in sorted(required):
            if key not in value:
                raise self.err(path, f"missing required field '{key}'")
        return value

    def string(self, value: Any, path: Path, *, empty: bool = False) -> str:
        if not isinstance(value, str):
            raise self.err(path, f"expected text, found {type(value).__name__} {value!r}"
                           + (" (put the value in quotes)" if isinstance(value, int | float) else ""))
        if not empty and not value.strip():
            raise self.err(path, "must not be empty")
        return value.strip()

    def name(self, value: Any, path: Path) -> str:
        s = self.string(value, path)
        if not NAME_RE.match(s):
            raise self.err(path, f"'{s}' is not a valid name (lower case letters, digits and underscores)")
        return s

    def boolean(self, value: Any, path: Path) -> bool:
        if type(value) is not bool:
            raise self.err(path, f"expected true or false, found {value!r}")
        return value

    def integer(self, value: Any, path: Path, minimum: int = 0) -> int:
        if type(value) is not int or value < minimum:
            raise self.err(path, f"expected a whole number of at least {minimum}, found {value!r}")
        return value

    def words(self, value: Any, path: Path, allowed: frozenset[str] | set[str], what: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.err(path, f"expected a non-empty list of {what}")
        out = []
        for i, word in enumerate(value):
            if not isinstance(word, str) or word not in allowed:
                raise self.err(path + (i,), f"unknown {what} {word!r}; expected one of: "
                               + ", ".join(sorted(allowed)))
            out.append(word)
        return tuple(out)


def parse_pack(src: Source) -> PackSpec:
    return _PackParser(src).parse()


class _PackParser(_Parser):
    TOP = {
        "pack", "version", "title", "source", "vocabulary", "labels", "services", "roles", "consent",
        "special_category_data", "criminal_offence_data", "disclose", "access", "subject_access",
        "retain", "documents", "cites", "security", "caldicott", "recording", "governance",
    }

    def parse(self) -> PackSpec:
        raw = self.mapping(self.src.data, (), self.TOP,
                           {"pack", "version", "title", "source", "services", "roles", "consent", "disclose",
                            "access", "subject_access", "retain"})
        name = self.name(raw["pack"], ("pack",))
        version = self.string(raw["version"], ("version",))
        title = self.string(raw["title"], ("title",))
        source = self.string(raw["source"], ("source",))
        self.vocab = self._vocabulary(raw.get("vocabulary", {}))
        self.labels = {}
        for key, text in self.mapping(raw.get("labels", {}), ("labels",), set(raw.get("labels", {}) or {})).items():
            self.labels[key] = self.string(text, ("labels", key))
        services = self._services(raw["services"])
        self.vocab["services"] = frozenset(services)
        roles = self._roles(raw["roles"], services)
        self.roles = roles
        self.vocab["roles"] = frozenset(roles)
        self.vocab["role_kinds"] = frozenset(vocab.ROLE_KINDS)
        self.vocab["channels"] = frozenset(vocab.CHANNELS)
        self.vocab["relationships"] = self.vocab["recipient_kinds"] | self.vocab["subject_roles"]
        self.vocab["access_record_kinds"] = self.vocab["data"] | self.vocab["record_kinds"]
        consent = self._consent(raw["consent"])
        special = frozenset(self.words(raw.get("special_category_data", list(vocab.SPECIAL_CATEGORY_DATA)),
                                       ("special_category_data",), self.vocab["data"], "data category"))
        crim_raw = self.mapping(raw.get("criminal_offence_data", {}), ("criminal_offence_data",),
                                {"data", "subject_roles"})
        criminal = frozenset(self.words(crim_raw.get("data", list(vocab.CRIMINAL_OFFENCE_DATA)),
                                        ("criminal_offence_data", "data"), self.vocab["data"], "data category"))
        criminal_roles = frozenset(self.words(crim_raw["subject_roles"], ("criminal_offence_data", "subject_roles"),
                                              self.vocab["subject_roles"], "subject role")) \
            if "subject_roles" in crim_raw else frozenset()
        default, prohibitions, rules = self._disclose(raw["disclose"])
        access = self._access(raw["access"])
        sar = self._subject_access(raw["subject_access"])
        retain = self._retain(raw["retain"])
        spec = PackSpec(
            name=name, version=version, title=title, source=source, filename=self.src.filename,
            vocab=self.vocab, labels=self.labels, services=services, roles=roles, consent=consent,
            special_category=special, criminal_offence=criminal, criminal_offence_roles=criminal_roles,
            disclose_default=default, prohibitions=prohibitions, disclose_rules=rules, access=access,
            subject_access=sar, retain=retain, documents={}, cites=self._cites(raw.get("cites", [])),
            security=self._security(raw.get("security", {})), caldicott=self._caldicott(raw.get("caldicott")),
            raw=raw, lines=self.src.lines, recording=self._recording(raw.get("recording", {})),
        )
        spec.disclose_refusals, spec.disclose_always = self.disclose_more
        spec.governance = governance.parse(self, raw.get("governance"), frozenset(roles))
        self._check_ids(spec)
        spec.documents = self._documents(raw.get("documents", {}), spec)
        self._check_agreed_in(spec)
        return spec

    # -- sections --------------------------------------------------------------------------
    def _vocabulary(self, raw: Any) -> dict[str, frozenset[str]]:
        raw = self.mapping(raw, ("vocabulary",), set(_VOCAB_SECTIONS))
        out: dict[str, frozenset[str]] = {}
        for section, core in _VOCAB_SECTIONS.items():
            words = set(core)
            for i, word in enumerate(raw.get(section, []) or []):
                word = self.name(word, ("vocabulary", section, i))
                if word in core:
                    raise self.err(("vocabulary", section, i), f"'{word}' is already a core word")
                words.add(word)
            out[section] = frozenset(words)
        return out

    def _services(self, raw: Any) -> dict[str, Service]:
        raw = self.mapping(raw, ("services",), set(raw) if isinstance(raw, dict) else set())
        if not raw:
            raise self.err(("services",), "a pack names at least one service")
        out = {}
        for key, body in raw.items():
            path = ("services", key)
            self.name(key, path)
            body = self.mapping(body, path, {"label", "subject_roles", "description"}, {"label"})
            roles = self.words(body["subject_roles"], path + ("subject_roles",), self.vocab["subject_roles"],
                               "subject role") if "subject_roles" in body else ()
            out[key] = Service(key, self.string(body["label"], path + ("label",)), roles,
                               self.string(body.get("description", ""), path + ("description",), empty=True))
        return out

    def _roles(self, raw: Any, services: dict[str, Service]) -> dict[str, Role]:
        raw = self.mapping(raw, ("roles",), set(raw) if isinstance(raw, dict) else set())
        out = {}
        for key, body in raw.items():
            path = ("roles", key)
            self.name(key, path)
            body = self.mapping(body, path, {"label", "kind", "services", "description"}, {"label", "kind"})
            kind = self.string(body["kind"], path + ("kind",))
            if kind not in vocab.ROLE_KINDS:
                raise self.err(path + ("kind",), f"unknown role kind '{kind}'; expected one of: "
                               + ", ".join(vocab.ROLE_KINDS))
            svc = self.words(body["services"], path + ("services",), frozenset(services), "service") \
                if "services" in body else ()
            out[key] = Role(key, self.string(body["label"], path + ("label",)), kind, svc,
                            self.string(body.get("description", ""), path + ("description",), empty=True))
        kinds = {r.kind for r in out.values()}
        for needed in vocab.REQUIRED_ROLE_KINDS:
            if needed not in kinds:
                raise self.err(("roles",), f"a pack needs at least one role of kind '{needed}'")
        return out

    def _consent(self, raw: Any) -> dict[str, Any]:
        path = ("consent",)
        raw = self.mapping(raw, path, {"clause", "text", "requires", "subject_roles", *CONSENT_OVER_TIME},
                           {"clause", "text", "requires"})
        requires = self.words(raw["requires"], path + ("requires",), CONSENT_REQUIREMENTS, "consent requirement")
        return {"clause": self._clause(raw["clause"], path + ("clause",)),
                "text": self.string(raw["text"], path + ("text",)), "requires": frozenset(requires),
                "subject_roles": self._consent_by_role(raw.get("subject_roles", {}), path + ("subject_roles",),
                                                       frozenset(requires)),
                **self._consent_over_time(raw, path)}

    def _consent_by_role(self, raw: Any, path: Path, general: frozenset[str]) -> dict[str, dict[str, Any]]:
        """Further requirements for the consent of a subject of a given role, each citing its clause
        (DVIP Appendix B and 2.02: a victim's records go only with her written consent). They add to
        `requires`, never take from it."""
        raw = self.mapping(raw, path, set(self.vocab["subject_roles"]))
        out = {}
        for role, body in raw.items():
            p = path + (role,)
            body = self.mapping(body, p, {"clause", "text", "requires"}, {"clause", "text", "requires"})
            extra = frozenset(self.words(body["requires"], p + ("requires",), CONSENT_REQUIREMENTS,
                                         "consent requirement"))
            if extra <= general:
                raise self.err(p + ("requires",), "adds nothing to the pack's consent requirements")
            out[role] = {"clause": self._clause(body["clause"], p + ("clause",)),
                         "text": self.string(body["text"], p + ("text",)), "requires": extra}
        return out

    def _consent_over_time(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        """Consent over time (all optional, each citing its clause): `remind_withdrawal`
        (`every_days`: remind a person of their right to withdraw a consent in force, JustUs 5.4),
        `to_support` (consent to support asked for at intake, JustUs 5.5) and `to_referral` (a
        referral is accepted only with the family's consent, Home-Start 7.1)."""
        out: dict[str, Any] = {}
        for key, extra in CONSENT_OVER_TIME.items():
            if key not in raw:
                out[key] = None
                continue
            p = path + (key,)
            body = self.mapping(raw[key], p, {"clause", "text", *extra}, {"clause", "text", *extra})
            item: dict[str, Any] = {"clause": self._clause(body["clause"], p + ("clause",)), "text": self.string(body["text"], p + ("text",))}
            if "every_days" in extra:
                item["every_days"] = self.integer(body["every_days"], p + ("every_days",), 1)
            out[key] = item
        return out

    def _clause(self, value: Any, path: Path) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise self.err(path, f"clause numbers must be quoted text (write '{value}' in quotes) so that "
                           "3.10 is not read as 3.1")
        return self.string(value, path)

    def _condition(self, raw: Any, path: Path, spec: dict[str, tuple[str, str | None]]) -> dict[str, Any]:
        raw = self.mapping(raw, path, set(spec))
        out: dict[str, Any] = {}
        for key, value in raw.items():
            kind, vocab_name = spec[key]
            p = path + (key,)
            if kind == "words":
                # Every "words" condition names its vocabulary (the spec tables above).
                out[key] = frozenset(self.words(value, p, self.vocab[vocab_name], vocab_name.rstrip("s").replace("_", " ")))  # type: ignore[index,union-attr]
            elif kind == "bool":
                out[key] = self.boolean(value, p)
            elif kind == "int":
                out[key] = self.integer(value, p, 1)
            elif kind == "valid":
                # 'verbal': valid in every way but being in writing (JustUs 5.4: verbal consent in
                # exceptional circumstances); valid consent is verbal consent too.
                if value not in ("valid", "verbal"):
                    raise self.err(p, "the only consent condition is 'valid' (or 'verbal': valid but for being "
                                   "in writing); a rule never relies on consent being missing, so withdrawing "
                                   "consent can never unlock anything")
                out[key] = value
        return out

    def _approvals(self, raw: Any, path: Path) -> list[dict[str, Any]]:
        if not isinstance(raw, list) or not raw:
            raise self.err(path, "expected a non-empty list of approval steps")
        out = []
        for i, step in enumerate(raw):
            p = path + (i,)
            step = self.mapping(step, p, {"any_of", "count", "not_the_requester", "never", "text"}, {"any_of"})
            any_of = self.words(step["any_of"], p + ("any_of",), self.vocab["roles"], "role")
            never = self.words(step["never"], p + ("never",), self.vocab["roles"], "role") if "never" in step else ()
            clash = set(any_of) & set(never)
            if clash:
                raise self.err(p + ("never",), f"role(s) {', '.join(sorted(clash))} both may and may never approve")
            for role in any_of:
                if self.roles[role].kind == "volunteer":
                    raise self.err(p + ("any_of",), f"a volunteer role ('{role}') cannot approve")
            out.append({
                "any_of": list(any_of),
                "count": self.integer(step.get("count", 1), p + ("count",), 1),
                "not_the_requester": self.boolean(step.get("not_the_requester", True), p + ("not_the_requester",)),
                "never": list(never),
            })
        return out

    def _obligations(self, raw: Any, path: Path) -> tuple[str, ...]:
        if raw is None:
            return ()
        return self.words(raw, path, self.vocab["obligations"], "obligation")

    def _rule(self, raw: Any, path: Path, section: str, allowed: set[str], *, required: set[str] | frozenset[str] = frozenset(),
              cond: dict | None = None, default_id: str | None = None) -> Rule:
        base = {"id", "clause", "text", "client_text"}
        raw = self.mapping(raw, path, base | allowed, {"clause", "text"} | set(required)
                           | ({"id"} if default_id is None else set()))
        rid = self.name(raw.get("id", default_id), path + ("id",))
        rule = Rule(section=section, id=rid, clause=self._clause(raw["clause"], path + ("clause",)),
                    text=self.string(raw["text"], path + ("text",)), line=self.src.line_of(path))
        if "client_text" in raw:
            rule.client_text = self.string(raw["client_text"], path + ("client_text",))
        if cond is not None and "when" in raw:
            rule.when = self._condition(raw["when"], path + ("when",), cond)
        if "approvals" in raw:
            rule.approvals = self._approvals(raw["approvals"], path + ("approvals",))
        if "obligations" in raw:
            rule.obligations = self._obligations(raw["obligations"], path + ("obligations",))
        return rule

    def _disclose(self, raw: Any) -> tuple[Rule, list[Rule], list[Rule]]:
        path = ("disclose",)
        raw = self.mapping(raw, path, {"default", "prohibitions", "rules", "refusals", "always"}, {"default", "rules"})
        default = self._rule(raw["default"], path + ("default",), "disclose.default", {"obligations"},
                             default_id="default_deny")
        self.disclose_more = self._disclose_more(raw, path)
        prohibitions = []
        for i, item in enumerate(raw.get("prohibitions", []) or []):
            p = path + ("prohibitions", i)
            rule = self._rule(item, p, "disclose.prohibition", {"when", "unless", "obligations", "absolute"},
                              required={"when"}, cond=DISCLOSE_CONDITIONS)
            rule.extra["absolute"] = self.boolean(item.get("absolute", True), p + ("absolute",))
            if "unless" in item:
                keys = UNLESS_CONDITIONS if rule.extra["absolute"] else (*UNLESS_CONDITIONS, "grounds")
                unless_spec = {k: DISCLOSE_CONDITIONS[k] for k in keys}
                if rule.extra["absolute"] and isinstance(item["unless"], dict) and "grounds" in item["unless"]:
                    raise self.err(p + ("unless", "grounds"), "an absolute prohibition cannot be unlocked by a "
                                   "ground (write 'absolute: false' if the policy allows an exception)")
                rule.unless = self._condition(item["unless"], p + ("unless",), unless_spec)
            if not rule.when:
                raise self.err(p + ("when",), "a prohibition needs at least one condition")
            prohibitions.append(rule)
        rules = []
        if not isinstance(raw["rules"], list) or not raw["rules"]:
            raise self.err(path + ("rules",), "expected a non-empty list of rules")
        for i, item in enumerate(raw["rules"]):
            p = path + ("rules", i)
            rule = self._rule(item, p, "disclose.rule", {"when", "decision", "approvals", "obligations", "basis",
                                                          "agreed_in"},
                              required={"when", "decision", "basis"}, cond=DISCLOSE_CONDITIONS)
            if "agreed_in" in item:
                # The subject agreed to this in a document they sign (DVIP Appendix A): it holds on that
                # standing ground, claimed or not. Checked against the document once documents are read.
                ap = p + ("agreed_in",)
                agreed = self.mapping(item["agreed_in"], ap, {"document", "ground"}, {"document", "ground"})
                rule.extra["agreed_in"] = {
                    "document": self.name(agreed["document"], ap + ("document",)),
                    "ground": self.words(agreed["ground"], ap + ("ground",), self.vocab["grounds"], "ground")[0],
                    "path": ap}
            rule.decision = self.string(item["decision"], p + ("decision",))
            if rule.decision not in ("permit", "permit_if_approved"):
                raise self.err(p + ("decision",), "a rule's decision is 'permit' or 'permit_if_approved' "
                               "(refusals are the default, or prohibitions)")
            if rule.decision == "permit_if_approved" and not rule.approvals:
                raise self.err(p + ("approvals",), "'permit_if_approved' needs the approvals it demands")
            if rule.decision == "permit" and rule.approvals:
                raise self.err(p + ("approvals",), "a plain 'permit' takes no approvals; use 'permit_if_approved'")
            rule.basis = self.string(item["basis"], p + ("basis",))
            if rule.basis not in legal.BASES:
                raise self.err(p + ("basis",), f"unknown legal basis '{rule.basis}'; expected one of: "
                               + ", ".join(sorted(legal.BASES)))
            when = rule.when
            if "consent" not in when and "grounds" not in when and when.get("anonymised") is not True \
                    and "agreed_in" not in rule.extra:
                raise self.err(p + ("when",), "a rule that lets information leave must need valid consent, "
                               "a ground, or anonymised information (or be agreed in a document the subject "
                               "signs: 'agreed_in')")
            if rule.basis == "consent" and "consent" not in when:
                raise self.err(p + ("basis",), "the basis 'consent' needs 'consent: valid' in the conditions")
            if rule.basis == "anonymised" and when.get("anonymised") is not True:
                raise self.err(p + ("basis",), "the basis 'anonymised' needs 'anonymised: true' in the conditions")
            rules.append(rule)
        return default, prohibitions, rules

    def _disclose_more(self, raw: dict[str, Any], path: Path) -> tuple[list[Rule], list[Rule]]:
        """`refusals`: when no rule permits, the first whose `when` holds refuses instead of the default,
        with its clause and obligations (DVIP 5.01: a request for staff details is referred to the
        person through their line manager, not refused under the client clause 4.01). `always`:
        obligations, with their clause, added to every answer whose request their `when` holds for,
        permit or refusal (Home-Start 10.2: the trustees are told of every police request)."""
        refusals, always = [], []
        for i, item in enumerate(raw.get("refusals", []) or []):
            p = path + ("refusals", i)
            rule = self._rule(item, p, "disclose.refusal", {"when", "obligations"}, required={"when"},
                              cond=DISCLOSE_CONDITIONS)
            if not rule.when:
                raise self.err(p + ("when",), "a refusal needs at least one condition")
            refusals.append(rule)
        for i, item in enumerate(raw.get("always", []) or []):
            p = path + ("always", i)
            rule = self._rule(item, p, "disclose.always", {"when", "obligations"}, required={"when", "obligations"},
                              cond=DISCLOSE_CONDITIONS)
            if not rule.when:
                raise self.err(p + ("when",), "an 'always' entry needs at least one condition")
            always.append(rule)
        return refusals, always

    def _check_agreed_in(self, spec: PackSpec) -> None:
        """A rule `agreed_in` a document holds without consent or a claimed ground only because the
        people it applies to signed that document: so the document must exist, be signed, list the
        rule, and be for everyone the rule applies to."""
        for rule in spec.disclose_rules:
            agreed = rule.extra.get("agreed_in")
            if agreed is None:
                continue
            ap = agreed["path"]
            doc = spec.documents.get(agreed["document"])
            if doc is None:
                raise self.err(ap + ("document",), f"no document '{agreed['document']}' in this pack")
            if "signed" not in doc["signatures"]:
                raise self.err(ap + ("document",), f"document '{doc['name']}' is not signed by the people it is for")
            if rule.id not in doc["items"]:
                raise self.err(ap + ("document",), f"document '{doc['name']}' does not list rule '{rule.id}'")
            roles = rule.when.get("subject_role")
            if not roles or not roles <= doc["subject_roles"]:
                raise self.err(ap, f"the rule must name subject roles the document '{doc['name']}' is for "
                               f"({', '.join(sorted(doc['subject_roles']))})")
            if doc["services"] is not None and not (rule.when.get("service") and rule.when["service"] <= doc["services"]):
                raise self.err(ap, f"the rule must name services the document '{doc['name']}' is for "
                               f"({', '.join(sorted(doc['services']))})")

    def _access(self, raw: Any) -> dict[str, Any]:
        path = ("access",)
        raw = self.mapping(raw, path, {"default", "trustees", "sealed", "grants", "break_glass"},
                           {"default", "trustees", "sealed", "grants", "break_glass"})
        out: dict[str, Any] = {
            "default": self._rule(raw["default"], path + ("default",), "access.default", set(), default_id="default_deny"),
            "trustees": self._rule(raw["trustees"], path + ("trustees",), "access.trustees", set(),
                                   default_id="trustees_see_no_client_data"),
        }
        sealed = self._rule(raw["sealed"], path + ("sealed",), "access.sealed", {"open_to"}, required={"open_to"},
                            default_id="sealed_records")
        sealed.extra["open_to"] = frozenset(self.words(raw["sealed"]["open_to"], path + ("sealed", "open_to"),
                                                       self.vocab["roles"], "role"))
        for role in sealed.extra["open_to"]:
            if self.roles[role].kind == "trustee":
                raise self.err(path + ("sealed", "open_to"), "trustees see no client data at all")
        out["sealed"] = sealed
        grants = []
        for i, item in enumerate(raw["grants"] or []):
            p = path + ("grants", i)
            rule = self._rule(item, p, "access.grant", {"when", "decision", "approvals", "obligations"},
                              required={"when", "decision"}, cond=ACCESS_CONDITIONS)
            rule.decision = self.string(item["decision"], p + ("decision",))
            if rule.decision not in ("permit", "permit_if_approved"):
                raise self.err(p + ("decision",), "expected 'permit' or 'permit_if_approved'")
            if rule.decision == "permit_if_approved" and not rule.approvals:
                raise self.err(p + ("approvals",), "'permit_if_approved' needs approvals")
            names_trustees = "trustee" in rule.when.get("kinds", ()) \
                or any(self.roles[role].kind == "trustee" for role in rule.when.get("roles", ()))
            if names_trustees and "purpose" not in rule.when:
                raise self.err(p + ("when",), "a grant that lets trustees read records must name the purpose "
                               "it is for (trustees see no client data otherwise)")
            grants.append(rule)
        out["grants"] = grants
        bg_raw = raw["break_glass"]
        bg = self._rule(bg_raw, path + ("break_glass",), "access.break_glass",
                        {"kinds", "exclude_record_kinds", "approvals", "obligations"},
                        required={"kinds", "approvals"}, default_id="break_glass")
        bg.extra["kinds"] = frozenset(self.words(bg_raw["kinds"], path + ("break_glass", "kinds"),
                                                 self.vocab["role_kinds"], "role kind"))
        if "trustee" in bg.extra["kinds"]:
            raise self.err(path + ("break_glass", "kinds"), "trustees see no client data at all")
        bg.extra["exclude_record_kinds"] = frozenset(self.words(
            bg_raw["exclude_record_kinds"], path + ("break_glass", "exclude_record_kinds"),
            self.vocab["access_record_kinds"], "record kind")) if "exclude_record_kinds" in bg_raw else frozenset()
        bg.decision = "permit_if_approved"
        out["break_glass"] = bg
        return out

    def _deadline(self, raw: Any, path: Path) -> dict[str, Any]:
        raw = self.mapping(raw, path, {"days", "months", "clause", "text", "id"}, {"clause", "text"})
        if ("days" in raw) == ("months" in raw):
            raise self.err(path, "give the deadline as either 'days' or 'months'")
        unit = "days" if "days" in raw else "months"
        return {"unit": unit, "amount": self.integer(raw[unit], path + (unit,), 1)}

    def _subject_access(self, raw: Any) -> dict[str, Any]:
        path = ("subject_access",)
        raw = self.mapping(raw, path, {"right", "deadline", "fee", "procedure", "rules"}, {"right", "deadline"})
        right = self._rule(raw["right"], path + ("right",), "subject_access.right", set(), default_id="right_of_access")
        deadline = self._rule(raw["deadline"], path + ("deadline",), "subject_access.deadline", {"days", "months"},
                              default_id="deadline")
        deadline.extra.update(self._deadline(raw["deadline"], path + ("deadline",)))
        fee = None
        if raw.get("fee") is not None:
            fee = self._rule(raw["fee"], path + ("fee",), "subject_access.fee", {"amount"}, required={"amount"},
                             default_id="fee")
            fee.extra["amount"] = self.string(raw["fee"]["amount"], path + ("fee", "amount"))
        procedure = []
        for i, item in enumerate(raw.get("procedure", []) or []):
            p = path + ("procedure", i)
            rule = self._rule(item, p, "subject_access.procedure", {"step"}, required={"step"},
                              default_id=f"procedure_{i}")
            rule.extra["step"] = self.words(item["step"], p + ("step",), self.vocab["subject_access_steps"],
                                            "subject-access step")[0]
            procedure.append(rule)
        rules = []
        for i, item in enumerate(raw.get("rules", []) or []):
            p = path + ("rules", i)
            rule = self._rule(item, p, "subject_access.rule",
                              {"when", "withhold", "procedure", "deadline", "fee", "warning"},
                              cond=SAR_CONDITIONS)
            if "withhold" in item:
                rule.extra["withhold"] = self.words(item["withhold"], p + ("withhold",), frozenset(vocab.WITHHOLD),
                                                    "withhold category")
            if "procedure" in item:
                rule.extra["procedure"] = self.words(item["procedure"], p + ("procedure",),
                                                     self.vocab["subject_access_steps"], "subject-access step")
            if "deadline" in item:
                rule.extra["deadline"] = self._deadline(dict(item["deadline"], clause=rule.clause, text=rule.text)
                                                        if isinstance(item["deadline"], dict) else item["deadline"],
                                                        p + ("deadline",))
            if "fee" in item:
                rule.extra["fee"] = None if item["fee"] is None else self.string(item["fee"], p + ("fee",))
            if "warning" in item:
                rule.extra["warning"] = self.string(item["warning"], p + ("warning",))
            rules.append(rule)
        return {"right": right, "deadline": deadline, "fee": fee, "procedure": procedure, "rules": rules}

    def _retain(self, raw: Any) -> dict[str, Any]:
        path = ("retain",)
        raw = self.mapping(raw, path, {"default", "rules"}, {"default"})
        default = self._rule(raw["default"], path + ("default",), "retain.default", set(), default_id="review")
        rules = []
        for i, item in enumerate(raw.get("rules", []) or []):
            p = path + ("rules", i)
            rule = self._rule(item, p, "retain.rule", {"when", "keep_years", "keep_months", "keep_days", "action",
                                                        "keep_only"}, required={"when", "action"},
                              cond=RETAIN_CONDITIONS)
            action = self.string(item["action"], p + ("action",))
            if action not in ("destroy", "return_to_sender", "review"):
                raise self.err(p + ("action",), "expected 'destroy', 'return_to_sender' or 'review'")
            rule.extra["action"] = action
            periods = [k for k in ("keep_years", "keep_months", "keep_days") if k in item]
            if len(periods) > 1:
                raise self.err(p, "give one retention period")
            if action == "destroy" and not periods:
                raise self.err(p, "'destroy' needs a retention period (keep_years, keep_months or keep_days)")
            if periods:
                rule.extra["period"] = (periods[0][5:], self.integer(item[periods[0]], p + (periods[0],)))
            if "keep_only" in item:
                rule.extra["keep_only"] = self.words(item["keep_only"], p + ("keep_only",),
                                                     self.vocab["keep_only_fields"], "field to keep")
            rules.append(rule)
        return {"default": default, "rules": rules}

    def _cites(self, raw: Any) -> list[dict[str, Any]]:
        if not isinstance(raw, list):
            raise self.err(("cites",), "expected a list")
        out = []
        for i, item in enumerate(raw):
            p = ("cites", i)
            item = self.mapping(item, p, {"name", "clause", "text"}, {"name", "clause"})
            out.append({"name": self.string(item["name"], p + ("name",)),
                        "clause": self._clause(item["clause"], p + ("clause",)),
                        "text": self.string(item.get("text", ""), p + ("text",), empty=True),
                        "line": self.src.line_of(p)})
        return out

    def _security(self, raw: Any) -> dict[str, Any]:
        raw = self.mapping(raw, ("security",), {"password_rotation", "phone_identity_check"})
        out = {}
        for key, body in raw.items():
            p = ("security", key)
            body = self.mapping(body, p, {"clause", "text"}, {"clause", "text"})
            out[key] = {"clause": self._clause(body["clause"], p + ("clause",)),
                        "text": self.string(body["text"], p + ("text",)), "line": self.src.line_of(p)}
        return out

    def _caldicott(self, raw: Any) -> dict[str, Any] | None:
        if raw is None:
            return None
        p = ("caldicott",)
        raw = self.mapping(raw, p, {"principles", "clause", "text"}, {"principles", "clause"})
        return {"principles": self.integer(raw["principles"], p + ("principles",), 1),
                "clause": self._clause(raw["clause"], p + ("clause",)),
                "text": self.string(raw.get("text", ""), p + ("text",), empty=True), "line": self.src.line_of(p)}

    def _recording(self, raw: Any) -> dict[str, Any]:
        p = ("recording",)
        raw = self.mapping(raw, p, {"factual"})
        out: dict[str, Any] = {}
        if "factual" in raw:
            fp = p + ("factual",)
            body = self.mapping(raw["factual"], fp, {"clause", "text", "covers", "also"}, {"clause", "text"})
            clauses = [self._recording_clause(body, fp)]
            also = body.get("also", [])
            if not isinstance(also, list):
                raise self.err(fp + ("also",), "expected a list of further clauses, each with 'clause' and 'text'")
            for i, item in enumerate(also):
                ap = fp + ("also", i)
                item = self.mapping(item, ap, {"clause", "text", "covers"}, {"clause", "text"})
                clauses.append(self._recording_clause(item, ap))
            seen: set[str] = set()
            for c in clauses:
                if c["clause"] in seen:
                    raise self.err(fp, f"clause {c['clause']} is cited twice")
                seen.add(c["clause"])
            out["factual"] = clauses
        return out

    def _recording_clause(self, body: dict[str, Any], path: Path) -> dict[str, Any]:
        covers = self.words(body["covers"], path + ("covers",), frozenset(vocab.WORDING_KINDS), "kind of wording") \
            if "covers" in body else vocab.WORDING_KINDS
        return {"clause": self._clause(body["clause"], path + ("clause",)),
                "text": self.string(body["text"], path + ("text",)),
                "covers": tuple(k for k in vocab.WORDING_KINDS if k in covers), "line": self.src.line_of(path)}

    def _check_ids(self, spec: PackSpec) -> None:
        seen: dict[tuple[str, str], int | None] = {}
        for rule in spec.all_rules():
            key = (rule.section.split(".")[0], rule.id)
            if key in seen:
                raise self.src.error((rule.section.split(".")[0],), f"rule id '{rule.id}' is used twice "
                                     f"(lines {seen[key]} and {rule.line})")
            seen[key] = rule.line

    def _documents(self, raw: Any, spec: PackSpec) -> dict[str, dict[str, Any]]:
        raw = self.mapping(raw, ("documents",), set(raw) if isinstance(raw, dict) else set())
        by_id = {r.id: r for r in [*spec.prohibitions, *spec.disclose_rules]}
        out = {}
        for key, body in raw.items():
            p = ("documents", key)
            self.name(key, p)
            body = self.mapping(body, p, {"title", "clause", "audience", "for", "intro", "items", "consent_scope",
                                          "closing", "signatures", "expiry", "copy_to_signer", "signed_by", "kind",
                                          "ways", "copy_required"},
                                {"title", "clause", "for", "intro", "items"})
            fors = self.mapping(body["for"], p + ("for",), {"subject_role", "service"}, {"subject_role"})
            subject_roles = frozenset(self.words(fors["subject_role"], p + ("for", "subject_role"),
                                                 spec.vocab["subject_roles"], "subject role"))
            services = frozenset(self.words(fors["service"], p + ("for", "service"), spec.vocab["services"], "service")) \
                if "service" in fors else None
            items = self.words(body["items"], p + ("items",), frozenset(by_id), "rule id")
            for i, rid in enumerate(items):
                client_text = by_id[rid].client_text
                if client_text is None:
                    raise self.err(p + ("items", i), f"rule '{rid}' has no client_text to put in a document")
                self._placeholders(client_text, p + ("items", i))
            for part in ("title", "intro", "closing"):
                if isinstance(body.get(part), str):
                    self._placeholders(body[part], p + (part,))
            # What a client signs must say exactly what the system enforces: every rule that can let
            # this subject's information leave without consent, and every prohibition protecting them,
            # must appear in the document.
            for rule in [*spec.prohibitions, *spec.disclose_rules]:
                if "consent" in rule.when or rule.when.get("anonymised") is True:
                    continue
                if "subject_role" in rule.when and not (rule.when["subject_role"] & subject_roles):
                    continue
                if services is not None and "service" in rule.when and not (rule.when["service"] & services):
                    continue
                if rule.id not in items:
                    raise self.err(p + ("items",), f"the document leaves out rule '{rule.id}' (clause {rule.clause}), "
                                   "which applies to the people who sign it")
            scope = self.words(body["consent_scope"], p + ("consent_scope",), spec.vocab["recipient_kinds"],
                               "recipient kind") if "consent_scope" in body else ()
            # What the document is; without `kind`, a document with a consent scope is a consent form,
            # any other a statement of the limits of confidentiality.
            kinds = self.words(body["kind"], p + ("kind",), frozenset(DOCUMENT_KINDS), "kind of document") \
                if "kind" in body else (("consent_form",) if scope else ("limits_statement",))
            if "staff_declaration" in kinds and len(kinds) > 1:
                raise self.err(p + ("kind",), "a declaration staff sign is not also a client document")
            if scope and "consent_form" not in kinds:
                raise self.err(p + ("kind",), "a document with a consent_scope is a consent_form")
            ways = self.words(body["ways"], p + ("ways",), frozenset(TELLING_WAYS), "way of telling") \
                if "ways" in body else TELLING_WAYS
            out[key] = {
                "name": key,
                "title": self.string(body["title"], p + ("title",)),
                "clause": self._clause(body["clause"], p + ("clause",)),
                "audience": self.string(body.get("audience", ""), p + ("audience",), empty=True),
                "subject_roles": subject_roles, "services": services,
                "intro": self.string(body["intro"], p + ("intro",)),
                "items": items, "consent_scope": scope,
                "closing": self.string(body.get("closing", ""), p + ("closing",), empty=True),
                "signatures": self.words(body["signatures"], p + ("signatures",),
                                         frozenset({"signed", "date", "name", "professional", "expiry"}), "signature line")
                if "signatures" in body else ("signed", "date", "name"),
                "expiry": self.boolean(body.get("expiry", False), p + ("expiry",)),
                "copy_to_signer": self.boolean(body.get("copy_to_signer", False), p + ("copy_to_signer",)),
                "kinds": frozenset(kinds), "ways": tuple(w for w in TELLING_WAYS if w in ways),
                # A copy to keep is given however the limits are told (Home-Start 1.1: "verbally and in writing").
                "copy_required": self.boolean(body.get("copy_required", False), p + ("copy_required",)),
            }
        return out

    def _placeholders(self, text: str, path: Path) -> None:
        """A document's words may name the organisation running Confide as {organisation}, and hold
        no other placeholder (it would be printed as it stands)."""
        for found in _PLACEHOLDER_RE.findall(text):
            if found != ORGANISATION:
                raise self.err(path, f"unknown placeholder {found}; the only one is {ORGANISATION}")
