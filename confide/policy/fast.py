"""The fast path: the same decisions as `reference.py`, computed with bitmasks and memoised pieces.

Nothing here is a rule. Each rule of the pack is a bit: for every condition and every word, the
set of rules the word satisfies is precomputed as an int, so evaluating a request is a handful of
dict lookups and ANDs whatever the number of rules, and "the first rule in pack order" is the
lowest set bit (`_compile_masks`, `_disclose_tables`, `_access_tables`, `_fast_tables`). Answers
are assembled from frozen pieces memoised on the few parts of the request they depend on
(`_default_for`, `_permit_for`, `_access_preamble`, `_access_answer`, `_with_always`). `decide` runs
the closures `_make_fast_disclose` and `_make_fast_access` build: validation inlined, tables bound
as closure variables (no attribute lookups per request), anything unsure handed to the strict
validator (`request.py`) by raising `_Slow`.

What it must agree with: on every valid request, `_decide_disclose` and the `disclose` closure give
exactly the answer of `reference.Reference._decide_disclose_reference`, and `_decide_access` and the
`access` closure that of `_decide_access_reference`; the closures give what the strict validator
plus the evaluators give. The proofs: tests/policy/test_properties.py
(`test_compiled_paths_agree_with_the_rule_by_rule_reference` on random requests for every built-in
pack, `test_trustee_grants_compiled_and_reference_agree`), and tests/policy/test_scenarios.py, which
runs every scenario through the pack. There is no cache of whole decisions: measured, it made
new requests 12-22 % slower and a working set no faster (bench/RESULTS.md). A change here that
changes an answer is a bug here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import vocab
from .answers import Answer, FrozenDict, FrozenList, _Template, _template
from .reference import Reference, grant_roles
from .request import (
    _CONSENT_DEFAULT,
    _EMPTY,
    _UNWRITTEN,
    A_ASSIGNED,
    A_KIND,
    A_OWN_SERVICE,
    A_PURPOSE,
    A_ROLE,
    A_SAME_TEAM,
    A_SEALED,
    A_SERVICE,
    ACCESS_FIELDS,
    ACTOR_FIELDS,
    CONSENT_FIELDS,
    D_AGE,
    D_ANON,
    D_CAPACITY,
    D_CHANNEL,
    D_CONSENT,
    D_DATA,
    D_GROUNDS,
    D_PURPOSE,
    D_RECIPIENT,
    D_RELATIONSHIP,
    D_REQUESTER,
    D_ROLE,
    D_SERVICE,
    D_VALID,
    D_VERBAL,
    D_VERIFIED,
    DISCLOSE_FIELDS,
    DISCLOSE_REQUESTER_FIELDS,
    RECIPIENT_FIELDS,
    RECORD_FIELDS,
    SUBJECT_FIELDS,
    _plain,
)
from .schema import Rule


class _Slow(Exception):
    """Raised inside a fast path to hand the request to the strict validator, which names the field."""


class Fast(Reference):
    """The compiled tables and fast closures (a mixin of `Pack`, built on `Reference`)."""

    # -- answers from memoised pieces ---------------------------------------------------------
    def _with_always(self, t: Answer, amask: int) -> Answer:
        """`t` with the obligations (and clauses) of the pack's `always` entries in `amask` (bits of
        `_d_rules`) added: Home-Start 10.2, the trustees are told of every police or court request,
        whatever the answer. Memoised on the answer template (kept alive by the memo, so its id is
        not reused while the entry stands)."""
        if not amask:
            return t
        key = (id(t), amask)
        hit = self._always_templates.get(key)
        if hit is not None and hit[0] is t:
            return hit[1]
        out = _template(self._add_always(t, [rule for i, rule in enumerate(self._d_rules) if amask >> i & 1]))
        if len(self._always_templates) >= 65536:
            self._always_templates.clear()
        self._always_templates[key] = (t, out)
        return out

    def _default_answer(self, r: tuple, refusal: int | None = None) -> Answer:
        """The pack's default refusal (or the refusal of `self._refusals[refusal]`), with why consent
        was not valid and, where grounds were claimed, that no rule accepts them. Built from frozen
        pieces memoised on the few parts of the request they depend on."""
        if r[D_VALID] or r[D_ANON]:
            pkey, creasons = None, ()
        else:
            _, pkey, creasons, _ = self._consent_table(r[D_ROLE])[r[D_CONSENT]][r[D_CAPACITY]]
        return self._default_for(pkey, creasons, r[D_GROUNDS], r[D_RECIPIENT], refusal)

    def _consent_table(self, role: str | None) -> dict[tuple, tuple]:
        return self._consent_info_by_role.get(role, self._consent_info)

    def _compile_consent(self) -> None:
        """For every consent tuple (status, explicit, written, covers_recipient, covers_data) and
        capacity: whether consent is valid, and the reason saying why not (as a frozen piece, with a
        small key naming the problems). Indexed `[ctuple][capacity]`: a bool indexes the pair."""
        pkeys: dict[tuple, int] = {}
        infos: dict[str | None, dict[tuple, tuple]] = {}
        for role in (None, *self._consent_by_role):
            info: dict[tuple, tuple] = {}
            for status in vocab.CONSENT_STATUS:
                for bits in range(16):
                    ctuple = (status, bool(bits & 8), bool(bits & 4), bool(bits & 2), bool(bits & 1))
                    pair: list[tuple] = []
                    for capacity in (False, True):
                        verbal = self._consent_valid(ctuple, capacity, role, _UNWRITTEN)
                        if self._consent_valid(ctuple, capacity, role):
                            pair.append((True, None, (), True))
                            continue
                        reasons = tuple(FrozenDict(x) for x in self.consent_reasons(ctuple, capacity, role))
                        pkey = pkeys.setdefault(tuple((x["clause"], x["text"]) for x in reasons), len(pkeys))
                        pair.append((False, pkey, reasons, verbal))
                    info[ctuple] = tuple(pair)
            infos[role] = info
        # Indexed [ctuple][capacity] (a bool indexes the pair): (valid, problems key, reasons, verbal).
        self._consent_info = infos[None]
        self._consent_info_by_role = {role: infos[role] for role in self._consent_by_role}
        default = self.spec.disclose_default
        base = _template(self._build_default_answer(_plain(valid=True), with_always=False))
        self._default_base = base
        self._default_reason = base["reasons"][0]
        self._default_ref = (self.name, default.clause, default.id)
        # The same base for each refusal: its reason and obligations instead of the default's.
        self._refusal_bases = {}
        for i, (rule, _) in enumerate(self._refusals):
            t = _Template(base)
            t["reasons"] = FrozenList([FrozenDict(self.reason(rule))])
            t["obligations"] = FrozenList(self._answer("deny", [], (), ["record_decision", *rule.obligations])
                                          ["obligations"])
            self._refusal_bases[i] = t

    def _default_for(self, pkey: int | None, creasons: tuple, grounds: frozenset[str],
                     recipient: str, refusal: int | None = None) -> Answer:
        tkey = ("default", refusal, pkey, grounds, recipient if grounds else None)
        t = self._templates.get(tkey)
        if t is not None:
            return t
        base = self._default_base if refusal is None else self._refusal_bases[refusal]
        reasons = [base["reasons"][0], *creasons]
        if grounds:
            gkey = ("default-grounds", recipient, grounds)
            greason = self._templates.get(gkey)
            if greason is None:
                name, clause, rule_id = self._default_ref
                greason = self._remember(gkey, FrozenDict({
                    "pack": name, "clause": clause, "rule": rule_id,
                    "text": "No rule of this pack lets this information go to "
                            f"{vocab.label(recipient)} on the ground(s) claimed: "
                            + ", ".join(vocab.label(g) for g in sorted(grounds)) + "."}))
            reasons.append(greason)
        t = _Template(base)
        t["reasons"] = FrozenList(reasons)
        return self._remember(tkey, t)

    def _permit_answer(self, best: Rule, r: tuple) -> Answer:
        return self._permit_for(best, r[D_ANON], r[D_DATA], r[D_ROLE], r[D_GROUNDS])

    def _permit_for(self, best: Rule, anon: bool, data: Any, role: str, grounds: Any) -> Answer:
        """`data` and `grounds`: the request's words (a frozenset or the request's list)."""
        spec = self.spec
        special = not anon and not spec.special_category.isdisjoint(data)
        criminal = not anon and (not spec.criminal_offence.isdisjoint(data) or role in spec.criminal_offence_roles)
        tkey = (best.id, special, criminal, best.when.get("grounds", _EMPTY).intersection(grounds))
        t = self._templates.get(tkey)
        if t is None:
            r = _plain(role=role, data=frozenset(data), grounds=frozenset(grounds), anon=anon)
            t = self._remember(tkey, _template(self._build_permit_answer(best, r)))
        return t

    def _access_preamble(self, r: tuple) -> Answer | None:
        """Trustees and sealed records, before any grant. A trustee-kind role no grant names is
        refused, and so is every trustee for a sealed record; a trustee a grant names goes on to the
        grants. The answers depend only on the outcome, so their templates are built once."""
        kind = self._role_kind[r[A_ROLE]]
        if kind == "trustee":
            if not r[A_SEALED] and r[A_ROLE] in self._trustees_granted:
                return None
        elif not r[A_SEALED]:
            return None
        tkey = ("access", "trustee" if kind == "trustee" else ("sealed", r[A_ROLE] in self._sealed_open))
        t = self._templates.get(tkey)
        if t is None:
            # Reached only for a trustee or a sealed record, which the preamble always answers.
            t = self._remember(tkey, _template(self._build_access_preamble(r)))  # type: ignore[arg-type]
        return t

    def _access_answer(self, best: Rule | None, r: tuple) -> Answer:
        if best is not None:
            tkey: tuple = ("access", "grant", best.id)
        elif self._role_kind[r[A_ROLE]] == "trustee":
            tkey = ("access", "trustee")  # no grant naming this trustee fits: refused, as trustees are
        else:
            bg = self._bg
            tkey = ("access", "break_glass" if self._role_kind[r[A_ROLE]] in bg.extra["kinds"]
                    and r[A_KIND] not in bg.extra["exclude_record_kinds"] else "default")
        t = self._templates.get(tkey)
        if t is None:
            t = self._remember(tkey, _template(self._build_access_answer(best, r)))
        return t

    # -- the compiled fast paths ------------------------------------------------------------
    # Each rule is a bit. For every condition and every word the compiler precomputes the set of
    # rules (as an int bitmask) that the word satisfies, so evaluating a request is a handful of dict
    # lookups and bitwise ANDs whatever the number of rules, and "the first matching rule in pack
    # order" is the lowest set bit. `_decide_*_reference` are the same rules evaluated one by one.

    def _compile_masks(self) -> None:
        # The bits, in order: prohibitions, rules, refusals, always entries.
        prohibitions = [r for r, _, _ in self._prohibitions]
        rules = prohibitions + [r for r, _ in self._disclose_rules]
        n_p, n_r = len(prohibitions), len(rules)
        rules += [r for r, _ in self._refusals]
        n_f = len(rules)
        rules += [r for r, _ in self._always]
        self._d_rules = rules
        self._d_prohib_mask = (1 << n_p) - 1
        self._d_rule_mask = ((1 << n_r) - 1) & ~self._d_prohib_mask
        self._d_refusal_start = n_r
        self._d_refusal_mask = ((1 << n_f) - 1) & ~((1 << n_r) - 1)
        self._d_always_mask = ((1 << len(rules)) - 1) & ~((1 << n_f) - 1)
        self._d_permit_mask = sum(1 << i for i, r in enumerate(rules) if n_p <= i < n_r and r.decision == "permit")
        self._dw = self._disclose_tables([r.when for r in rules])
        self._du = self._disclose_tables([r.unless if r.unless else None for r in rules])
        self._when_mask = self._mask_function(self._dw)
        self._unless_mask = self._mask_function(self._du)
        self._d_deny_templates: dict[int, Answer] = {}
        self._always_templates: dict[tuple, tuple[Answer, Answer]] = {}
        grants = [g for g, _ in self._grants]
        self._a_grants = grants
        self._a_permit_mask = sum(1 << i for i, g in enumerate(grants) if g.decision == "permit")
        self._aw = self._access_tables([g.when for g in grants])

    @staticmethod
    def _in_table(conds: Sequence[dict[str, Any] | None], key: str) -> tuple[dict[Any, int], int]:
        nocond = 0
        table: dict[Any, int] = {}
        for i, c in enumerate(conds):
            if c is None:
                continue
            if key not in c:
                nocond |= 1 << i
        for i, c in enumerate(conds):
            if c is not None and key in c:
                value = c[key]
                for word in (value if isinstance(value, frozenset) else (value,)):
                    table[word] = table.get(word, nocond) | (1 << i)
        return table, nocond

    def _disclose_tables(self, conds: list[dict[str, Any] | None]) -> dict[str, Any]:
        t: dict[str, Any] = {}
        for key in ("subject_role", "service", "recipient", "relationship", "purpose", "channel", "requester_role"):
            t[key] = self._in_table(conds, key)
        for key in ("data", "grounds"):  # any of the request's words
            table, nocond = self._in_table(conds, key)
            t[key] = ({w: m & ~nocond for w, m in table.items()}, nocond)
        for key in ("data_only", "grounds_only"):  # all of the request's words
            table, nocond = self._in_table(conds, key)
            t[key] = (table, nocond, any(c is not None and key in c for c in conds))
        for key in ("anonymised", "identity_verified"):
            table, nocond = self._in_table(conds, key)
            t[key] = {True: table.get(True, nocond), False: table.get(False, nocond)}
        # Indexed by valid + verbal: 2 (valid), 1 (valid but for being in writing), 0 (neither).
        table, nocond = self._in_table(conds, "consent")
        valid, verbal = table.get("valid", nocond), table.get("verbal", nocond)
        t["consent"] = {2: valid | verbal, 1: verbal, 0: nocond}
        ages = [(1 << i, c["subject_under_age"]) for i, c in enumerate(conds)
                if c is not None and "subject_under_age" in c]
        _, nocond = self._in_table(conds, "subject_under_age")
        t["age"] = (ages, nocond)
        return t

    @staticmethod
    def _mask_function(t: dict[str, Any]) -> Callable[[tuple], int]:
        """The rules (as a bitmask) whose conditions a disclosure tuple satisfies, for the tables of
        `_disclose_tables`, bound as closure variables (fewer lookups per request)."""
        role_get, role_d = t["subject_role"][0].get, t["subject_role"][1]
        rec_get, rec_d = t["recipient"][0].get, t["recipient"][1]
        svc_get, svc_d = t["service"][0].get, t["service"][1]
        rel_get, rel_d = t["relationship"][0].get, t["relationship"][1]
        pur_get, pur_d = t["purpose"][0].get, t["purpose"][1]
        ch_get, ch_d = t["channel"][0].get, t["channel"][1]
        req_get, req_d = t["requester_role"][0].get, t["requester_role"][1]
        consent_t, anon_t, ver_t = t["consent"], t["anonymised"], t["identity_verified"]
        data_get, data_nc = t["data"][0].get, t["data"][1]
        only_get, only_d, only_used = t["data_only"][0].get, t["data_only"][1], t["data_only"][2]
        gonly_get, gonly_d, gonly_used = t["grounds_only"][0].get, t["grounds_only"][1], t["grounds_only"][2]
        gr_get, gr_nc = t["grounds"][0].get, t["grounds"][1]
        ages, age_nc = t["age"]

        def mask(r: tuple) -> int:
            m = role_get(r[D_ROLE], role_d) & rec_get(r[D_RECIPIENT], rec_d)
            if not m:
                return 0
            m &= svc_get(r[D_SERVICE], svc_d) & rel_get(r[D_RELATIONSHIP], rel_d) & pur_get(r[D_PURPOSE], pur_d) \
                & ch_get(r[D_CHANNEL], ch_d) & req_get(r[D_REQUESTER], req_d) \
                & consent_t[r[D_VALID] + r[D_VERBAL]] & anon_t[r[D_ANON]] & ver_t[r[D_VERIFIED]]
            if not m:
                return 0
            x = data_nc
            for word in r[D_DATA]:
                x |= data_get(word, 0)
            m &= x
            if only_used:
                for word in r[D_DATA]:
                    m &= only_get(word, only_d)
            x = gr_nc
            for word in r[D_GROUNDS]:
                x |= gr_get(word, 0)
            m &= x
            if gonly_used:
                for word in r[D_GROUNDS]:
                    m &= gonly_get(word, gonly_d)
            if ages:
                x = age_nc
                age = r[D_AGE]
                for bit, limit in ages:
                    if age is not None and age < limit:
                        x |= bit
                m &= x
            return m
        return mask

    def _decide_disclose(self, r: tuple) -> Answer:
        w = self._when_mask(r)
        always = w & self._d_always_mask
        denies = w & self._d_prohib_mask
        if denies:
            denies &= ~self._unless_mask(r)
            if denies:
                t = self._d_deny_templates.get(denies)
                if t is None:
                    t = _template(self._deny_answer([rule for i, rule in enumerate(self._d_rules) if denies >> i & 1]))
                    self._d_deny_templates[denies] = t
                return self._with_always(t, always)
        permits = w & self._d_rule_mask
        if not permits:
            x = w & self._d_refusal_mask
            refusal = (x & -x).bit_length() - 1 - self._d_refusal_start if x else None
            return self._with_always(self._default_answer(r, refusal), always)
        x = (permits & self._d_permit_mask) or permits
        return self._with_always(self._permit_answer(self._d_rules[(x & -x).bit_length() - 1], r), always)

    def _access_tables(self, conds: list[dict[str, Any]]) -> dict[str, Any]:
        t: dict[str, Any] = {}
        roles_ok = {}
        reach = [grant_roles(c, self.spec.roles) for c in conds]
        for name in self.spec.roles:
            m = 0
            for i, names in enumerate(reach):
                if name in names:
                    m |= 1 << i
            roles_ok[name] = m
        t["role"] = roles_ok
        for key in ("assigned", "same_team", "own_service"):
            table, nocond = self._in_table(conds, key)
            t[key] = {True: table.get(True, nocond), False: table.get(False, nocond)}
        for key in ("purpose", "record_kind", "service"):
            t[key] = self._in_table(conds, key)
        return t

    def _decide_access(self, r: tuple) -> Answer:
        pre = self._access_preamble(r)
        if pre is not None:
            return pre
        t = self._aw
        m = t["role"][r[A_ROLE]] & t["assigned"][r[A_ASSIGNED]] & t["same_team"][r[A_SAME_TEAM]] \
            & t["own_service"][r[A_OWN_SERVICE]]
        tab, d = t["purpose"]
        m &= tab.get(r[A_PURPOSE], d)
        tab, d = t["record_kind"]
        m &= tab.get(r[A_KIND], d)
        tab, d = t["service"]
        m &= tab.get(r[A_SERVICE], d)
        if not m:
            return self._access_answer(None, r)
        x = (m & self._a_permit_mask) or m
        return self._access_answer(self._a_grants[(x & -x).bit_length() - 1], r)

    def _fast_tables(self) -> dict[str, Any]:
        """The `when` and `unless` tables of `_compile_masks` merged for the fast path: each valid word
        maps to one int whose low bits are the rules whose `when` it satisfies and whose high bits
        (shifted by the number of rules) are the rules whose `unless` it satisfies, so one lookup both
        validates the word (a word outside the vocabulary is a `KeyError`) and evaluates it against
        every condition. Optional fields map `None` (left out) to the rules without that condition."""
        n = len(self._d_rules)
        dw, du = self._dw, self._du
        t: dict[str, Any] = {}
        for key, words, optional in (("subject_role", self._subject_roles, False), ("service", self._services, True),
                                     ("recipient", self._recipients, False),
                                     ("relationship", self._relationships, True),
                                     ("purpose", self._purposes, True), ("channel", self._channels, True),
                                     ("requester_role", self._roles, True)):
            (tw, w_d), (tu, u_d) = dw[key], du[key]
            table: dict[str | None, int] = {w: tw.get(w, w_d) | tu.get(w, u_d) << n for w in words}
            if optional:
                table[None] = w_d | u_d << n
            t[key] = table
        for key, words in (("data", self._data), ("grounds", self._grounds)):  # any of the request's words
            (tw, w_nc), (tu, u_nc) = dw[key], du[key]
            t[key] = ({w: tw.get(w, 0) | tu.get(w, 0) << n for w in words}, w_nc | u_nc << n)
        for key, words in (("data_only", self._data), ("grounds_only", self._grounds)):  # all of the request's
            (tw, w_d, w_used), (tu, u_d, u_used) = dw[key], du[key]
            t[key] = ({w: tw.get(w, w_d) | tu.get(w, u_d) << n for w in words}, w_used or u_used)
        for key in ("anonymised", "identity_verified"):
            t[key] = {v: dw[key][v] | du[key][v] << n for v in (True, False)}
        t["consent"] = {v: dw["consent"][v] | du["consent"][v] << n for v in (0, 1, 2)}  # by valid + verbal
        (w_ages, w_nc), (u_ages, u_nc) = dw["age"], du["age"]
        t["age"] = (tuple(w_ages) + tuple((bit << n, limit) for bit, limit in u_ages), w_nc | u_nc << n)
        return t

    def _make_fast_disclose(self, slow: Callable[[dict[str, Any]], Answer]) -> Callable[[dict[str, Any]], Answer]:
        """The fast path for `disclose`, as a closure over the pack's tables (no attribute lookups per
        request): the same checks as `request.disclose_key`, written for speed, then
        the same evaluation as `_decide_disclose`, with the `when` and `unless` tables merged
        (`_fast_tables`) and no intermediate tuple. Anything it is not sure of goes to `slow` (the
        pack's strict validator, which names the offending field)."""
        t = self._fast_tables()
        n = len(self._d_rules)
        role_t, svc_t, rec_t, rel_t = t["subject_role"], t["service"], t["recipient"], t["relationship"]
        pur_t, ch_t, req_t = t["purpose"], t["channel"], t["requester_role"]
        data_t, data_nc = t["data"]
        only_t, only_used = t["data_only"]
        gonly_t, gonly_used = t["grounds_only"]
        gr_t, gr_nc = t["grounds"]
        valid_t, anon_t, ver_t = t["consent"], t["anonymised"], t["identity_verified"]
        ages, age_nc = t["age"]
        consent_info, consent_by_role = self._consent_info, self._consent_info_by_role
        prohib_mask, rule_mask, permit_mask = self._d_prohib_mask, self._d_rule_mask, self._d_permit_mask
        refusal_mask, refusal_start, always_mask = self._d_refusal_mask, self._d_refusal_start, self._d_always_mask
        with_always = self._with_always
        rules = self._d_rules
        deny_templates = self._d_deny_templates
        deny_answer = self._deny_answer
        default_for, permit_for = self._default_for, self._permit_for
        subject_roles, services, data_words = self._subject_roles, self._services, self._data
        recipients, relationships, purposes = self._recipients, self._relationships, self._purposes
        grounds_words, channels = self._grounds, self._channels

        def fast_disclose(req: dict[str, Any]) -> Answer:
            try:
                if not req.keys() <= DISCLOSE_FIELDS:
                    raise _Slow
                subject = req["subject"]
                if not subject.keys() <= SUBJECT_FIELDS:
                    raise _Slow
                role = subject["role"]
                service = subject.get("service")
                age = subject.get("age")
                capacity = subject.get("has_capacity", False)
                if role not in subject_roles or (service is not None and service not in services) \
                        or (age is not None and (age.__class__ is not int or not 0 <= age <= 130)) \
                        or (capacity is not False and capacity is not True):
                    raise _Slow
                data = req["data"]
                if data.__class__ is not list or not data:
                    raise _Slow
                fdata = frozenset(data)
                recipient = req["recipient"]
                if not fdata <= data_words or not recipient.keys() <= RECIPIENT_FIELDS:
                    raise _Slow
                rkind = recipient["kind"]
                rel = recipient.get("relationship_to_subject")
                purpose = req.get("purpose")
                if rkind not in recipients or (rel is not None and rel not in relationships) \
                        or (purpose is not None and purpose not in purposes):
                    raise _Slow
                consent = req.get("consent")
                cinfo = consent_by_role.get(role, consent_info) if consent_by_role else consent_info
                if consent is None:
                    ctuple = _CONSENT_DEFAULT
                    valid, pkey, creasons, verbal = cinfo[_CONSENT_DEFAULT][capacity]
                else:
                    if not consent.keys() <= CONSENT_FIELDS:
                        raise _Slow
                    ctuple = (consent.get("status", "not_sought"), consent.get("explicit", False),
                              consent.get("written", False), consent.get("covers_recipient", False),
                              consent.get("covers_data", False))
                    if not (ctuple[1] is True or ctuple[1] is False) \
                            or not (ctuple[2] is True or ctuple[2] is False) \
                            or not (ctuple[3] is True or ctuple[3] is False) \
                            or not (ctuple[4] is True or ctuple[4] is False):
                        raise _Slow
                    valid, pkey, creasons, verbal = cinfo[ctuple][capacity]  # an unknown status: KeyError
                grounds = req.get("grounds")
                if grounds is None:
                    grounds = _EMPTY
                elif grounds.__class__ is not list:
                    raise _Slow
                else:
                    grounds = frozenset(grounds)
                    if not grounds <= grounds_words:
                        raise _Slow
                channel = req.get("channel")
                verified = req.get("requester_identity_verified", False)
                anon = req.get("anonymised", False)
                if (channel is not None and channel not in channels) \
                        or (verified is not False and verified is not True) or (anon is not False and anon is not True):
                    raise _Slow
                requester = req.get("requester")
                if requester is None:
                    qrole = None
                else:
                    if not requester.keys() <= DISCLOSE_REQUESTER_FIELDS:
                        raise _Slow
                    qrole = requester["role"]
                    if qrole.__class__ is not str:
                        raise _Slow
                    mq = req_t[qrole]  # a role outside the pack: KeyError
            except (_Slow, KeyError, TypeError, AttributeError):
                return slow(req)
            # The request is valid: evaluate it. m: the rules whose `when` holds (low bits) and whose
            # `unless` holds (high bits).
            m = role_t[role] & rec_t[rkind] & svc_t[service] & rel_t[rel] & pur_t[purpose] & ch_t[channel] \
                & valid_t[valid + verbal] & anon_t[anon] & ver_t[verified] & (req_t[None] if qrole is None else mq)
            x = data_nc
            for word in fdata:
                x |= data_t[word]
            m &= x
            if only_used:
                for word in fdata:
                    m &= only_t[word]
            x = gr_nc
            for word in grounds:
                x |= gr_t[word]
            m &= x
            if gonly_used:
                for word in grounds:
                    m &= gonly_t[word]
            if ages:
                x = age_nc
                if age is not None:
                    for bit, limit in ages:
                        if age < limit:
                            x |= bit
                m &= x
            denies = m & prohib_mask & ~(m >> n)
            if denies:
                t = deny_templates.get(denies)
                if t is None:
                    t = deny_templates[denies] = _template(
                        deny_answer([rule for i, rule in enumerate(rules) if denies >> i & 1]))
            else:
                permits = m & rule_mask
                if not permits:
                    x = m & refusal_mask
                    t = default_for(None if valid or anon else pkey, () if anon else creasons, grounds, rkind,
                                    (x & -x).bit_length() - 1 - refusal_start if x else None)
                else:
                    x = (permits & permit_mask) or permits
                    t = permit_for(rules[(x & -x).bit_length() - 1], anon, fdata, role, grounds)
            x = m & always_mask
            if x:
                t = with_always(t, x)
            return t.copy()
        return fast_disclose

    def _make_fast_access(self, slow: Callable[[dict[str, Any]], Answer]) -> Callable[[dict[str, Any]], Answer]:
        """The fast path for `access`, as a closure (the same checks as `request.access_key`, the same
        evaluation as `_decide_access`); anything it is not sure of goes to `slow`."""
        roles, access_kinds, services, purposes = self._roles, self._access_kinds, self._services, self._purposes
        role_services = self._role_services
        t = self._aw
        role_t, assigned_t, same_t, own_t = t["role"], t["assigned"], t["same_team"], t["own_service"]
        pur_get, pur_d = t["purpose"][0].get, t["purpose"][1]
        kind_get, kind_d = t["record_kind"][0].get, t["record_kind"][1]
        svc_get, svc_d = t["service"][0].get, t["service"][1]
        permit_mask, grants = self._a_permit_mask, self._a_grants
        preamble, access_answer = self._access_preamble, self._access_answer
        trustees_refused = self._trustees_refused

        def fast_access(req: dict[str, Any]) -> Answer:
            try:
                actor = req["actor"]
                record = req["record"]
                if not (req.keys() <= ACCESS_FIELDS and actor.keys() <= ACTOR_FIELDS
                        and record.keys() <= RECORD_FIELDS):
                    raise _Slow
                role = actor["role"]
                ateam = actor.get("team")
                assigned = actor.get("assigned_to_case", False)
                kind = record["kind"]
                service = record.get("service")
                rteam = record.get("team")
                sealed = record.get("sealed", False)
                purpose = req.get("purpose")
                if role not in roles or kind not in access_kinds \
                        or (service is not None and service not in services) \
                        or (purpose is not None and purpose not in purposes) \
                        or (assigned is not False and assigned is not True) \
                        or (sealed is not False and sealed is not True) \
                        or (ateam is not None and ateam.__class__ is not str) \
                        or (rteam is not None and rteam.__class__ is not str):
                    raise _Slow
            except (_Slow, KeyError, TypeError, AttributeError):
                return slow(req)
            served = role_services[role]
            same_team = ateam is not None and ateam == rteam
            own = service is None or not served or service in served
            key = (role, same_team, assigned, kind, service, sealed, purpose, own)
            t: Answer
            if sealed or role in trustees_refused:
                t = preamble(key)  # type: ignore[assignment]  # it answers every sealed or refused-trustee request
            else:
                m = role_t[role] & assigned_t[assigned] & same_t[same_team] & own_t[own] & pur_get(purpose, pur_d) \
                    & kind_get(kind, kind_d) & svc_get(service, svc_d)
                if m:
                    x = (m & permit_mask) or m
                    t = access_answer(grants[(x & -x).bit_length() - 1], key)
                else:
                    t = access_answer(None, key)
            return t.copy()
        return fast_access
