"""Mutation testing of the trusted core: would the tests notice a change to the code?

    make mutation                                  # or: .venv/bin/python bench/mutation.py
    .venv/bin/python bench/mutation.py keys audit  # some targets only
    .venv/bin/python bench/mutation.py --sample 0  # every mutant, not a sample (slow)

Each target is a few modules of the trusted core (the policy engine, the audit chain, the key
store, the gate) and its OWN fast test subset, never the whole suite. For each target mutmut
(pinned in requirements/lock.txt) works in a directory of its own, mutants/<target>/, whose
setup.cfg names the modules and the tests; mutmut copies the project into
mutants/<target>/mutants/ and mutates the copy only. This script asks mutmut which mutants the
modules give, draws a random sample of them with a fixed seed (so a re-run tries the same
mutants while the code is unchanged), has mutmut run exactly those, and prints per target how
many the tests killed and, for each survivor, its diff (`mutmut show`). It exits 1 when a target
kills less than --require per cent (90 by default). docs/mutation.md says how to read a survivor.

Not part of `make test`: it runs each subset about a hundred times (about 20 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
BIN = Path(sys.executable).parent
SEED = 19  # issue 19; change it only together with the figures in docs/mutation.md


@dataclass(frozen=True)
class Target:
    modules: tuple[str, ...]
    tests: tuple[str, ...]  # pytest arguments: the target's own fast subset
    # Functions that only run on PostgreSQL: the subset runs on SQLite, so their mutants are left out
    # of the sample (and counted, saying why). The PostgreSQL run of the suite covers them.
    postgresql_only: tuple[str, ...] = ()
    # mutmut settings of this target's own. The policy engine builds each pack's closures and answer
    # templates once and load_pack() keeps the pack: forked from a process that already ran the tests
    # (mutmut's default), every mutant would meet packs built by the unchanged code. From a fork
    # server that has imported nothing, each mutant's tests build their packs afresh.
    mutmut: tuple[str, ...] = ()


# Subprocess tests (the CLI, `confide serve`, other processes appending to the chain) run the
# installed code rather than the mutated copy, so they cannot kill a mutant; they are left out
# with the slow fuzzing test. (What they check of the verifier, tests/audit/test_known_answers.py
# checks in process.)
TARGETS: dict[str, Target] = {
    "policy": Target(
        modules=("confide/policy/fast.py", "confide/policy/reference.py", "confide/policy/compiler.py",
                 "confide/policy/answers.py", "confide/policy/request.py"),
        tests=("tests/policy", "--ignore=tests/policy/test_cli.py",
               "--deselect=tests/policy/test_request_fuzz.py::test_every_pack_answers_or_refuses_any_json_document",
               "--deselect=tests/policy/test_request_fuzz.py::test_the_cli_exits_0_or_2_with_one_line_for_any_document"),
        mutmut=("process_isolation = forkserver", "forkserver_warmup = none"),
    ),
    "audit": Target(
        modules=("confide/audit/chain.py", "confide/audit/services.py"),
        tests=("tests/audit", "--ignore=tests/audit/test_checkpoint_cli.py",
               "--ignore=tests/audit/test_append_queue.py", "--ignore=tests/audit/test_parallel_verify.py",
               "--deselect=tests/audit/test_chain.py::AuditChainTests::test_cli_verify_exit_codes"),
        postgresql_only=("confide.audit.services.x__verify_postgresql__",),
    ),
    "keys": Target(
        modules=("confide/keys/__init__.py",),
        tests=("tests/keys", "--deselect=tests/keys/test_keystore.py::test_confide_keys_rotate_end_to_end"),
    ),
    "gate": Target(
        modules=("confide/records/access.py",),
        tests=("tests/records/test_one_gate.py", "tests/records/test_idor.py", "tests/records/test_authorization.py",
               "tests/records/test_list_filter.py", "tests/test_who_can_see_what.py",
               "tests/records/test_gate_requests.py", "tests/records/test_break_glass_reasons.py",
               "tests/records/test_gate_mutants.py", "tests/web/test_refusals.py"),
    ),
}


def mutant_names(work: Path, modules: tuple[str, ...]) -> list[str]:
    """Every mutant mutmut makes of these modules, by the names `mutmut run` takes. Asks mutmut's
    own generator (the same call `mutmut run` makes, reading work/setup.cfg), so the names cannot
    drift from its."""
    from mutmut.configuration import reset_config
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    names, here = [], Path.cwd()
    os.chdir(work)
    reset_config()
    try:
        for module in modules:
            path = Path(module)
            mutated = mutate_file_contents(str(path), path.read_text("utf-8"))
            names += [get_mutant_name(path, name) for name in mutated.mutant_names]
    finally:
        os.chdir(here)
    return sorted(names)


def prepare(name: str, target: Target) -> Path:
    """A fresh working directory for mutmut: the project linked in, and a setup.cfg of its own."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for linked in ("confide", "tests", "docs"):  # docs: tests/test_who_can_see_what.py reads it
        (work / linked).symlink_to(ROOT / linked, target_is_directory=True)
    shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")  # pytest's settings; no [tool.mutmut]

    def lines(values) -> str:
        return "".join(f"\n    {value}" for value in values)

    (work / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths = confide\n"
        "also_copy =\n    docs\n"
        f"only_mutate ={lines(target.modules)}\n"
        f"pytest_add_cli_args_test_selection ={lines(target.tests)}\n"
        "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n"
        "use_git_change_detection = false\n" + "".join(f"{line}\n" for line in target.mutmut), "utf-8")
    return work


def results(work: Path) -> dict[str, str]:
    """mutmut's verdict on each mutant it knows of in this working directory."""
    out = subprocess.run([str(BIN / "mutmut"), "results", "--all", "true"], cwd=work, capture_output=True,
                         text=True, check=True).stdout
    verdicts = {}
    for line in out.splitlines():
        key, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in key:
            verdicts[key] = status
    return verdicts


def equivalent(diff: str) -> str | None:
    """Why a surviving mutant cannot change behaviour, for the two kinds recognised from the diff
    alone: a statement for SQLite, or a codec's name, changed only in letter case. Anything else is
    judged by a person and listed in docs/mutation.md."""
    removed = " ".join(line[1:].strip() for line in diff.splitlines() if line.startswith("-"))
    added = " ".join(line[1:].strip() for line in diff.splitlines() if line.startswith("+"))
    if not removed or removed == added or removed.lower() != added.lower():
        return None
    if "execute(" in removed:
        return "SQL keywords and SQLite's names of tables and columns ignore letter case"
    if ".encode(" in removed or ".decode(" in removed:
        return "Python's codec names ignore letter case ('utf-8' is 'UTF-8')"
    return None


@dataclass
class Outcome:
    killed: int
    total: int
    equivalent: int
    seconds: float

    @property
    def score(self) -> float:
        """Per cent killed of the mutants that could be killed (the sample less the equivalent ones)."""
        return 100.0 * self.killed / (self.total - self.equivalent) if self.total > self.equivalent else 0.0


def run_target(name: str, target: Target, sample: int, seed: int) -> Outcome:
    started = time.monotonic()
    work = prepare(name, target)
    everyone = mutant_names(work, target.modules)
    elsewhere = [m for m in everyone if m.startswith(target.postgresql_only)] if target.postgresql_only else []
    everyone = [m for m in everyone if m not in elsewhere]
    chosen = sorted(random.Random(seed).sample(everyone, sample)) if 0 < sample < len(everyone) else everyone
    log = WORK / f"{name}.log"
    print(f"== {name}: {len(chosen)} of {len(everyone)} mutants of {', '.join(target.modules)}"
          + (f" ({len(elsewhere)} more in code only PostgreSQL runs, left out)" if elsewhere else ""), flush=True)
    with open(log, "w") as out:
        run = subprocess.run([str(BIN / "mutmut"), "run", "--max-children", str(os.cpu_count() or 2), *chosen],
                             cwd=work, stdout=out, stderr=subprocess.STDOUT, check=False)
    verdicts = results(work)
    missing = [m for m in chosen if m not in verdicts]
    if run.returncode != 0 or missing:
        print(f"   mutmut failed (exit {run.returncode}, {len(missing)} mutants without a verdict); see {log}")
        return Outcome(0, len(chosen), 0, time.monotonic() - started)
    # A timeout counts as killed (the mutant made the tests hang, which they noticed), as mutmut counts it.
    killed = sum(1 for m in chosen if verdicts[m] in ("killed", "timeout"))
    equivalents = 0
    for survivor in (m for m in chosen if verdicts[m] not in ("killed", "timeout")):
        shown = subprocess.run([str(BIN / "mutmut"), "show", survivor], cwd=work, capture_output=True, text=True,
                               check=False).stdout
        diff = "\n".join(line for line in shown.splitlines()[1:] if not line.startswith(("---", "+++")))
        why = equivalent(diff)
        equivalents += why is not None
        print(f"-- {'equivalent' if why else verdicts[survivor]}: {survivor}" + (f" ({why})" if why else ""))
        print(diff)
    return Outcome(killed, len(chosen), equivalents, time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description="Mutation testing of the trusted core, a sample per target.")
    parser.add_argument("targets", nargs="*", help="default: all, in this order: " + ", ".join(TARGETS))
    parser.add_argument("--sample", type=int, default=100, help="mutants per target (0: all); default 100")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed of the sample; default {SEED}")
    parser.add_argument("--require", type=float, default=90.0, help="per cent to kill; default 90")
    args = parser.parse_args()
    unknown = [name for name in args.targets if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; the targets are {', '.join(TARGETS)}")
    WORK.mkdir(exist_ok=True)
    summary = []
    for name in args.targets or list(TARGETS):
        summary.append((name, run_target(name, TARGETS[name], args.sample, args.seed)))
    print(f"\n== mutation score per target (seed {args.seed}): killed of the sample less its equivalent mutants")
    failed = False
    for name, o in summary:
        failed |= o.score < args.require
        print(f"   {name:<7} {o.killed:>4} of {o.total - o.equivalent:<4} killed  {o.score:5.1f} %   "
              f"({o.equivalent} equivalent, {o.total - o.equivalent - o.killed} survived; {o.seconds / 60:4.1f} min)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
