"""Benchmark of the policy engine, side by side with Cedar (through cedarpy) in the same run.

    .venv/bin/python bench/policy.py                 # every pack, writes its section of bench/RESULTS.md
    .venv/bin/python bench/policy.py --quick         # smoke run: one pack, small rounds, prints only
    .venv/bin/python bench/policy.py --packs dvip --n 20000 --rounds 9 --no-write

How it measures (issue 18 point 4): every contender runs in every round, in a fresh random order
each round, on the same number of requests (--n); each round gives a rate, and the section reports
the median of the rounds with their spread (lowest–highest). Nothing is "best of".

Our engine, on generated requests of the contract's four actions:
  * *ours*: the engine as shipped (its own `Pack`, compiled from the pack's text), on an
    all-distinct stream, on a working set (requests drawn from a pool of 5,000, as a service's
    questions recur) and on access requests alone. The engine keeps no whole-decision cache (it was
    removed on 2026-12-04, after this benchmark showed it made new requests 12-22 % slower and a
    working set no faster); it keeps only its memoised answer pieces, a few hundred per pack;
  * *nothing memoised*: before every request, those pieces (`_templates`, `_d_deny_templates`,
    `_always_templates`) emptied, so every answer is built from its rules and no pre-built answer is
    reused: the engine's cost with no memo at all, on the all-distinct and the access streams.
Every decision returns the full answer (reasons with clauses, approvals, obligations, legal basis).

Cedar: the pack's access rules as ONE Cedar policy set whose permits carry an `@id` saying which
outcome they give, so each decision is one evaluation: Allow with a `permit:` policy among the
reasons = permit; Allow with only `approve:` policies = permit_if_approved; Deny = deny. Timed
three ways on the same access requests (policy set and entities parsed once, outside the timing):
  * *per call*: `cedarpy.is_authorized` once per decision (Python dict in, AuthzResult out);
  * *batch, whole call*: `cedarpy.is_authorized_batch` in chunks (the binding's JSON in and out);
  * *engine*: `cedarpy._internal.is_authorized_batch` on requests whose context is already JSON
    text, results left as JSON text (Cedar's Rust side only: request building, evaluation, and
    writing the answer as JSON); and, read from those results, Cedar's own `authz_duration_micros`
    (whole microseconds per decision, so only a guide).
A differential check requires our engine and Cedar to give the same answer to every access request.
Single-threaded: the figures are per core. No timing assertion anywhere; the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confide.policy import compile_text, load_pack, pack_names  # noqa: E402
from confide.policy.compiler import Pack  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- policy:begin -->", "<!-- policy:end -->"
TEAMS = ["north", "south", "east"]
MIXED_TARGET = 250_000  # mixed decisions per second, median, full answers (issue 18 point 5)
CEDAR_TARGET = 20.0  # times Cedar's engine per decision (issue 18 point 5)


# --- request generation ------------------------------------------------------------------------------
def gen_disclose(rng: random.Random, pack: Pack) -> dict:
    v = pack.spec.vocab
    req: dict = {"action": "disclose", "subject": {"role": rng.choice(sorted(v["subject_roles"]))},
                 "data": rng.sample(sorted(v["data"]), rng.randint(1, 3)),
                 "recipient": {"kind": rng.choice(sorted(v["recipient_kinds"]))}}
    if rng.random() < 0.7:
        req["subject"]["service"] = rng.choice(sorted(pack.services))
    if rng.random() < 0.7:
        req["subject"]["has_capacity"] = rng.random() < 0.9
    if rng.random() < 0.6:
        req["consent"] = {"status": rng.choice(["given", "given", "refused", "withdrawn", "expired", "not_sought"]),
                          "explicit": rng.random() < 0.8, "written": rng.random() < 0.7,
                          "covers_recipient": rng.random() < 0.8, "covers_data": rng.random() < 0.8}
    if rng.random() < 0.5:
        req["grounds"] = rng.sample(sorted(v["grounds"]), rng.randint(1, 2))
    if rng.random() < 0.5:
        req["channel"] = rng.choice(sorted(v["channels"]))
    if rng.random() < 0.3:
        req["purpose"] = rng.choice(sorted(v["purposes"]))
    if rng.random() < 0.5:
        req["requester_identity_verified"] = rng.random() < 0.7
    if rng.random() < 0.2:
        req["anonymised"] = rng.random() < 0.5
    return req


def gen_access(rng: random.Random, pack: Pack) -> dict:
    v = pack.spec.vocab
    actor: dict = {"role": rng.choice(list(pack.roles))}
    if rng.random() < 0.8:
        actor["team"] = rng.choice(TEAMS)
    if rng.random() < 0.8:
        actor["assigned_to_case"] = rng.random() < 0.4
    record: dict = {"kind": rng.choice(sorted(v["access_record_kinds"]))}
    if rng.random() < 0.8:
        record["service"] = rng.choice(list(pack.services))
    if rng.random() < 0.8:
        record["team"] = rng.choice(TEAMS)
    if rng.random() < 0.5:
        record["sealed"] = rng.random() < 0.1
    req = {"action": "access", "actor": actor, "record": record}
    if rng.random() < 0.85:
        req["purpose"] = rng.choice(sorted(v["purposes"]))
    return req


def gen_sar(rng: random.Random, pack: Pack) -> dict:
    v = pack.spec.vocab
    req: dict = {"action": "subject_access",
                 "received_on": f"{rng.randint(2019, 2027)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                 "requester": {"role": rng.choice(sorted(v["subject_roles"]))},
                 "record_contains": rng.sample(sorted(v["record_contents"]), rng.randint(0, 3))}
    if rng.random() < 0.5:
        req["requester"]["service"] = rng.choice(list(pack.services))
    return req


def gen_retain(rng: random.Random, pack: Pack) -> dict:
    v = pack.spec.vocab
    record: dict = {"kind": rng.choice(sorted(v["record_kinds"]))}
    if rng.random() < 0.8:
        record["closed_on"] = f"{rng.randint(2010, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if rng.random() < 0.3:
        record["flags"] = rng.sample(sorted(v["record_flags"]), 1)
    if rng.random() < 0.5:
        record["service"] = rng.choice(list(pack.services))
    return {"action": "retain", "record": record}


def gen_mixed(rng: random.Random, pack: Pack, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        x = rng.random()
        if x < 0.6:
            out.append(gen_disclose(rng, pack))
        elif x < 0.9:
            out.append(gen_access(rng, pack))
        elif x < 0.95:
            out.append(gen_sar(rng, pack))
        else:
            out.append(gen_retain(rng, pack))
    return out


# --- the same access rules in Cedar: one policy set, one evaluation per decision ---------------------
def _set(words) -> str:
    return "[" + ", ".join(f'"{w}"' for w in sorted(words)) + "]"


def _grant_condition(when: dict) -> str:
    parts = []
    for key, value in when.items():
        if key == "kinds":
            parts.append(f"{_set(value)}.contains(principal.kind)")
        elif key == "roles":
            parts.append(f"{_set(value)}.contains(principal.role)")
        elif key == "assigned":
            parts.append(f"context.assigned == {'true' if value else 'false'}")
        elif key == "same_team":
            same = "(principal has team && resource has team && principal.team == resource.team)"
            parts.append(same if value else f"!{same}")
        elif key == "own_service":
            own = "(!(resource has service) || principal.all_services || principal.services.contains(resource.service))"
            parts.append(own if value else f"!{own}")
        elif key == "purpose":
            parts.append(f"(context has purpose && {_set(value)}.contains(context.purpose))")
        elif key == "record_kind":
            parts.append(f"{_set(value)}.contains(resource.kind)")
        elif key == "service":
            parts.append(f"(resource has service && {_set(value)}.contains(resource.service))")
        else:
            raise AssertionError(key)
    return " && ".join(parts) or "true"


def cedar_policies(pack: Pack) -> str:
    """The pack's access rules as one Cedar policy set with one action. Every permit is annotated
    `@id("permit:…")` or `@id("approve:…")`; the outcome is read from the policies Cedar reports as
    the reasons for an Allow (`cedar_outcome`), so one evaluation answers permit / permit if
    approved / deny. A plain permit wins over permit-if-approved, as in the pack."""
    acc = pack.spec.access
    open_to = _set(acc["sealed"].extra["open_to"])
    granted = _set(getattr(pack, "_trustees_granted", ()) or ())
    out = [f"// {pack.name} {pack.version}: access rules generated from the pack",
           f'// {acc["trustees"].clause}: trustees see no client data unless a grant names their role\n'
           f'@id("forbid:trustees")\nforbid (principal, action, resource) when {{ principal.kind == "trustee" '
           f'&& (resource.sealed || !{granted}.contains(principal.role)) }};',
           f'// {acc["sealed"].clause}: sealed records open only to the named roles, and never by break-glass\n'
           f'@id("permit:sealed")\npermit (principal, action, resource) when {{ resource.sealed && {open_to}.contains(principal.role) }};',
           f'@id("forbid:sealed")\nforbid (principal, action, resource) when {{ resource.sealed && !{open_to}.contains(principal.role) }};']
    for grant in acc["grants"]:
        label = "permit" if grant.decision == "permit" else "approve"
        out.append(f"// {grant.clause} [{grant.id}]\n"
                   f'@id("{label}:{grant.id}")\npermit (principal, action, resource) when {{ {_grant_condition(grant.when)} }};')
    bg = acc["break_glass"]
    cond = f"{_set(bg.extra['kinds'])}.contains(principal.kind)"
    if bg.extra["exclude_record_kinds"]:
        cond += f" && !{_set(bg.extra['exclude_record_kinds'])}.contains(resource.kind)"
    out.append(f"// {bg.clause} [break_glass]\n"
               f'@id("approve:break_glass")\npermit (principal, action, resource) when {{ {cond} }};')
    return "\n".join(out) + "\n"


def cedar_outcome(response: dict) -> str:
    """permit / permit_if_approved / deny from one Cedar response (as parsed JSON)."""
    if response["decision"] != "Allow":
        return "deny"
    ids = response["diagnostics"].get("id_annotations_by_reason", {}).values()
    return "permit" if any(i.startswith("permit:") for i in ids) else "permit_if_approved"


def _principal_id(req: dict) -> str:
    a = req["actor"]
    return f'{a["role"]}|{a.get("team") or "-"}'


def _record_id(req: dict) -> str:
    r = req["record"]
    return f'{r["kind"]}|{r.get("service") or "-"}|{r.get("team") or "-"}|{int(bool(r.get("sealed")))}'


def cedar_entities(pack: Pack, requests: list[dict]) -> list[dict]:
    """Every distinct actor and record of the requests, as Cedar entities (parsed once, outside the timing)."""
    ents: dict[tuple[str, str], dict] = {}
    for req in requests:
        a, r = req["actor"], req["record"]
        pid, rid = _principal_id(req), _record_id(req)
        if ("User", pid) not in ents:
            role = pack.roles[a["role"]]
            attrs = {"role": role.name, "kind": role.kind, "services": list(role.services),
                     "all_services": not role.services}
            if a.get("team") is not None:
                attrs["team"] = a["team"]
            ents[("User", pid)] = {"uid": {"type": "User", "id": pid}, "attrs": attrs, "parents": []}
        if ("Record", rid) not in ents:
            attrs = {"kind": r["kind"], "sealed": bool(r.get("sealed", False))}
            if r.get("service") is not None:
                attrs["service"] = r["service"]
            if r.get("team") is not None:
                attrs["team"] = r["team"]
            ents[("Record", rid)] = {"uid": {"type": "Record", "id": rid}, "attrs": attrs, "parents": []}
    return list(ents.values())


def cedar_request(req: dict) -> dict:
    ctx: dict = {"assigned": bool(req["actor"].get("assigned_to_case", False))}
    if req.get("purpose") is not None:
        ctx["purpose"] = req["purpose"]
    return {"principal": {"type": "User", "id": _principal_id(req)}, "action": {"type": "Action", "id": "read"},
            "resource": {"type": "Record", "id": _record_id(req)}, "context": ctx}


# --- timing --------------------------------------------------------------------------------------------
def timed(fn) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def summary(rates: list[float]) -> dict:
    return {"median": statistics.median(rates), "low": min(rates), "high": max(rates), "rounds": len(rates)}


def bench_pack(name: str, n: int, rounds: int, chunk: int) -> dict:
    import cedarpy
    from cedarpy import _internal

    rng = random.Random(f"confide-{name}")
    pack = load_pack(name)
    text = Path(pack.filename).read_text(encoding="utf-8")
    shipped = compile_text(text, pack.filename)  # its own Pack, so the loaded one's memo is left alone
    bare = compile_text(text, pack.filename)
    mixed = gen_mixed(rng, pack, n)
    # A working set: a service's requests recur (the same staff, records, recipients and questions),
    # so draw N requests from a pool of 5,000 distinct ones.
    pool = gen_mixed(rng, pack, 5000)
    working = [rng.choice(pool) for _ in range(n)]
    access = [gen_access(rng, pack) for _ in range(n)]

    policies_text = cedar_policies(pack)
    policies = cedarpy.PolicySet.from_str(policies_text)
    entities = cedarpy.Entities.from_json_str(json.dumps(cedar_entities(pack, access)))
    requests = [cedar_request(r) for r in access]
    # The engine's input: what cedarpy itself hands to Rust (context as JSON text), made outside the timing.
    serialised = [{**r, "context": json.dumps(r["context"])} for r in requests]
    inner_entities = entities._inner

    def ours(p: Pack, reqs: list[dict]):
        decide = p.decide
        return [decide(r)["decision"] for r in reqs]

    def ours_bare(reqs: list[dict]):
        decide, templates, denies, always = bare.decide, bare._templates, bare._d_deny_templates, bare._always_templates
        out = []
        for r in reqs:
            templates.clear()
            denies.clear()
            always.clear()
            out.append(decide(r)["decision"])
        return out

    def cedar_per_call():
        is_authorized = cedarpy.is_authorized
        return [cedar_outcome(is_authorized(r, policies, entities)._authz_resp) for r in requests]

    def cedar_batch():
        out: list[str] = []
        for lo in range(0, n, chunk):
            out.extend(cedar_outcome(res._authz_resp)
                       for res in cedarpy.is_authorized_batch(requests[lo:lo + chunk], policies, entities))
        return out

    def cedar_engine():
        out: list[str] = []
        for lo in range(0, n, chunk):
            out.extend(_internal.is_authorized_batch(serialised[lo:lo + chunk], policies, inner_entities, None, False))
        return out

    contenders = {
        "mixed": lambda: ours(shipped, mixed),
        "mixed_bare": lambda: ours_bare(mixed),
        "working": lambda: ours(shipped, working),
        "access": lambda: ours(shipped, access),
        "access_bare": lambda: ours_bare(access),
        "cedar_per_call": cedar_per_call,
        "cedar_batch": cedar_batch,
        "cedar_engine": cedar_engine,
    }
    rates: dict[str, list[float]] = {label: [] for label in contenders}
    results: dict[str, list] = {}
    order = list(contenders)
    shuffle = random.Random(f"order-{name}")
    for _ in range(rounds):
        shuffle.shuffle(order)  # interleaved, in a fresh order each round: noise falls on all alike
        for label in order:
            seconds, res = timed(contenders[label])
            rates[label].append(n / seconds)
            results[label] = res
    engine_json = [json.loads(s) for s in results["cedar_engine"]]
    cedar_answers = [cedar_outcome(r) for r in engine_json]
    micros = sum(r["metrics"]["authz_duration_micros"] for r in engine_json)
    ours_answers = results["access"]
    mismatches = [i for i in range(n) if not (ours_answers[i] == cedar_answers[i] == results["cedar_batch"][i]
                                              == results["cedar_per_call"][i] == results["access_bare"][i])]
    mismatches += [i for i in range(n) if results["mixed"][i] != results["mixed_bare"][i]]
    return {
        "pack": name, "n": n, "rounds": rounds, "chunk": chunk,
        "rate": {label: summary(values) for label, values in rates.items()},
        "cedar_reported_per_s": n / (micros / 1e6) if micros else float("inf"),
        "mismatches": mismatches,
        "access_decisions": {d: ours_answers.count(d) for d in ("permit", "permit_if_approved", "deny")},
        "cedar_policies": policies_text.count("permit (") + policies_text.count("forbid ("),
        "cedarpy": _dist_version("cedarpy"),
    }


def _dist_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def machine() -> dict[str, str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"nproc": nproc, "cpu": model, "python": platform.python_version(), "platform": platform.platform(),
            "load": load}


def _cell(s: dict) -> str:
    return f"{s['median']:,.0f} ({s['low']:,.0f}–{s['high']:,.0f})"


def render(rows: list[dict], info: dict[str, str], command: str, when: str, load_after: str) -> str:
    n, rounds = rows[0]["n"], rows[0]["rounds"]
    out = [BEGIN, "## Policy engine (`bench/policy.py`)", "",
           f"Run on {when} with `{command}`.", "",
           f"Machine: `nproc` = {info['nproc']}; CPU: {info['cpu']}; Python {info['python']}; {info['platform']}; "
           f"cedarpy {rows[0]['cedarpy']}; load average {info['load']} before, {load_after} after (1, 5, 15 min). "
           "Shared and noisy: compare figures within one run.", "",
           f"Decisions per second on one core: the **median of {rounds} interleaved rounds** of {n:,} requests "
           "per contender per round (every contender in every round, in a fresh order each round), with the "
           "lowest and highest round in brackets. Every decision of ours returns the full answer. How each "
           "figure is made is in the docstring of `bench/policy.py`.", "",
           "### Our engine", "",
           "| pack | mixed | mixed, nothing memoised | working set | access | access, nothing memoised |",
           "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["rate"]
        out.append(f"| {r['pack']} | {_cell(s['mixed'])} | {_cell(s['mixed_bare'])} | {_cell(s['working'])} "
                   f"| {_cell(s['access'])} | {_cell(s['access_bare'])} |")
    out += ["", "*Mixed*: 60 % disclose, 30 % access, 5 % subject access, 5 % retain, nearly all distinct. "
            "*Working set*: the same mix drawn from a pool of 5,000 distinct requests. *Access*: access "
            "requests alone. The unqualified columns are the engine as shipped (no whole-decision cache: it "
            "was removed on 2026-12-04; only its memoised answer pieces, a few hundred per pack); *nothing "
            "memoised* empties those pieces before every request, so every answer is built from its rules.",
            "", "### Cedar, on the same access requests", "",
            "| pack | ours, access | Cedar per call (`is_authorized`) | Cedar batch, whole call "
            "| Cedar engine (Rust side, pre-serialised JSON) | Cedar's own `authz_duration_micros` | ours ÷ Cedar engine "
            "| ours ÷ Cedar per call | differential check |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        s = r["rate"]
        ours_m = s["access"]["median"]
        check = (f"same answer from all contenders for all {r['n']:,} requests" if not r["mismatches"]
                 else f"{len(r['mismatches'])} MISMATCHES")
        out.append(f"| {r['pack']} | {_cell(s['access'])} | {_cell(s['cedar_per_call'])} "
                   f"| {_cell(s['cedar_batch'])} | {_cell(s['cedar_engine'])} | {r['cedar_reported_per_s']:,.0f} "
                   f"| {ours_m / s['cedar_engine']['median']:.1f}× | {ours_m / s['cedar_per_call']['median']:.1f}× "
                   f"| {check} |")
    low, high = min(r["cedar_policies"] for r in rows), max(r["cedar_policies"] for r in rows)
    out += ["", f"Cedar evaluates one policy set of {low if low == high else f'{low}–{high}'} "
            "policies once per decision (batches of "
            f"{rows[0]['chunk']:,}); the policy set and the entities are parsed once, outside the timing. The "
            "*engine* column is the fairest figure for Cedar itself: it still includes Cedar's Rust-side "
            "request building from JSON and writing each answer as JSON, which cedarpy cannot skip; Cedar's "
            "own `authz_duration_micros` (summed whole microseconds, so a guide only) is evaluation alone. "
            "Ours includes the strict validation of every request and the full answer, where Cedar returns "
            "allow or deny with the ids of the policies that decided.", "",
            "### Against the targets", ""]

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    for r in rows:
        s = r["rate"]
        mixed = s["mixed"]["median"]
        ratio = s["access"]["median"] / s["cedar_engine"]["median"]
        ratio_own = s["access"]["median"] / r["cedar_reported_per_s"]
        out.append(f"- {r['pack']}: mixed decisions ≥ {MIXED_TARGET:,}/s median — "
                   f"{verdict(mixed >= MIXED_TARGET)} ({mixed:,.0f}/s); ≥ {CEDAR_TARGET:.0f}× Cedar's engine per "
                   f"decision — {verdict(ratio >= CEDAR_TARGET)} ({ratio:.1f}× the Rust-side figure; "
                   f"{ratio_own:.1f}× Cedar's own evaluation time).")

    def gain(r: dict, stream: str) -> float:
        return r["rate"][stream]["median"] / r["rate"][f"{stream}_bare"]["median"]

    out += ["", "### What the memoised answer pieces save", "",
            "Ours ÷ nothing memoised (medians; above 1 the pieces help): "
            + "; ".join(f"{r['pack']} all distinct {gain(r, 'mixed'):.2f}, access {gain(r, 'access'):.2f}"
                        for r in rows) + ".", "",
            "Access decisions in the differential check (permit / permit if approved / deny): "
            + "; ".join(f"{r['pack']} {r['access_decisions']['permit']:,} / "
                        f"{r['access_decisions']['permit_if_approved']:,} / {r['access_decisions']['deny']:,}"
                        for r in rows) + ".", "", END]
    return "\n".join(out)


def write_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="requests per contender per round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds; the median is reported (default 9)")
    parser.add_argument("--chunk", type=int, default=10_000, help="requests per Cedar batch call (default 10,000)")
    parser.add_argument("--packs", default=",".join(pack_names()))
    parser.add_argument("--quick", action="store_true", help="smoke run: dvip only, 2,000 requests, 3 rounds; prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.rounds, args.packs, args.no_write = 2000, 3, "dvip", True
    try:
        import cedarpy  # noqa: F401
    except ImportError:
        print("cedarpy is not installed: .venv/bin/pip install -r requirements/bench-lock.txt --require-hashes",
              file=sys.stderr)
        return 2
    info = machine()
    rows = []
    for name in args.packs.split(","):
        row = bench_pack(name, args.n, args.rounds, min(args.chunk, args.n))
        rows.append(row)
        s = row["rate"]
        print(f"{name:11} " + "  ".join(f"{label} {s[label]['median']:,.0f}" for label in s)
              + f"  cedar-reported {row['cedar_reported_per_s']:,.0f}  mismatches {len(row['mismatches'])}", flush=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = "cd /work/main && .venv/bin/python bench/policy.py " + " ".join(argv if argv is not None else sys.argv[1:])
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = render(rows, info, command.strip(), when, load_after)
    if args.no_write:
        print(section)
    else:
        write_results(section)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 1 if any(r["mismatches"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
