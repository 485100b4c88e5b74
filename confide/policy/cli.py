"""`confide policy ...`: the command-line edge of the policy engine.

    confide policy packs
    confide policy check PACK_OR_FILE
    confide policy lint PACK_OR_FILE
    confide policy explain PACK_OR_FILE [--document NAME]
    confide policy decide --pack PACK_OR_FILE  < request.json

`main(argv)` takes the words after `policy`. Exit codes: 0 done; 1 `lint --strict` found departures
from current law; 2 bad input (unknown pack, invalid pack, invalid request), with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import IO, Any, NoReturn

from .errors import PolicyError, RequestError
from .explain import explain_pack, render_document
from .lint import lint_pack
from .loader import load_pack, pack_names


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="confide policy", description="Confide's policy packs: list, check, lint, explain, decide.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("packs", help="list the built-in packs")
    c = sub.add_parser("check", help="validate a pack")
    c.add_argument("pack")
    ln = sub.add_parser("lint", help="where a pack departs from current UK law and guidance")
    ln.add_argument("pack")
    ln.add_argument("--json", action="store_true", help="print the findings as JSON")
    ln.add_argument("--strict", action="store_true", help="exit 1 when there are findings")
    e = sub.add_parser("explain", help="the pack in plain English, or one of its client documents")
    e.add_argument("pack")
    e.add_argument("--document", metavar="NAME", help="render a client-facing document instead")
    d = sub.add_parser("decide", help="read a request (JSON) on stdin, print the decision (JSON)")
    d.add_argument("--pack", required=True)
    return p


def main(argv: list[str] | None = None, stdin: IO[str] | None = None, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None) -> int:
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        print(f"confide policy: {exc}", file=stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return _run(args, stdin, stdout)
    except PolicyError as exc:
        print(f"confide policy: {exc}", file=stderr)
        return 2


def _run(args: argparse.Namespace, stdin: IO[str], stdout: IO[str]) -> int:
    if args.command == "packs":
        for name in pack_names():
            pack = load_pack(name)
            print(f"{name}\t{pack.version}\t{pack.title}", file=stdout)
        return 0
    if args.command == "check":
        pack = load_pack(args.pack)
        n = len(pack.spec.all_rules())
        print(f"{pack.name} {pack.version} ({pack.title}): valid, {n} rules, {len(pack.roles)} roles, "
              f"{len(pack.services)} services, {len(pack.documents)} documents", file=stdout)
        return 0
    if args.command == "lint":
        pack = load_pack(args.pack)
        findings = lint_pack(pack)
        if args.json:
            json.dump({"pack": pack.name, "version": pack.version, "findings": findings}, stdout, indent=2,
                      ensure_ascii=False)
            stdout.write("\n")
        else:
            print(f"{pack.name} {pack.version}: {len(findings)} departure(s) from current UK law and guidance",
                  file=stdout)
            for f in findings:
                print(f"\n[{f['topic']}] clause {f['clause']}", file=stdout)
                print(f"  The pack says: {f['pack_says']}", file=stdout)
                print(f"  What applies now: {f['applies_now']}", file=stdout)
                print(f"  Source: {f['source']}", file=stdout)
        return 1 if (args.strict and findings) else 0
    if args.command == "explain":
        pack = load_pack(args.pack)
        if args.document:
            stdout.write(render_document(pack, args.document))
        else:
            stdout.write(explain_pack(pack))
        return 0
    if args.command == "decide":
        pack = load_pack(args.pack)
        answer = pack.decide(read_request(stdin))
        json.dump(answer, stdout, indent=2, ensure_ascii=False)
        stdout.write("\n")
        return 0
    raise AssertionError(args.command)  # pragma: no cover


def _constant(name: str) -> Any:
    raise RequestError("request", f"{name} is not valid JSON; expected a number or null")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RequestError("request", f"the number {text[:40]} is too large")
    return value


def read_request(stdin: IO[str]) -> Any:
    """The request on `stdin`, parsed as strict JSON (RFC 8259: UTF-8, no NaN or Infinity). Any input
    that is not is a `RequestError` whose message is one line: bytes that are not UTF-8, nothing at
    all, nesting deeper than the parser can follow, a number with more digits than Python converts."""
    buffer = getattr(stdin, "buffer", None)
    try:
        text = buffer.read().decode("utf-8") if buffer is not None else stdin.read()
        text.encode("utf-8")  # a lone surrogate, from a stream decoded with surrogateescape
    except (UnicodeDecodeError, UnicodeEncodeError) as exc:
        raise RequestError("request", f"not valid UTF-8 text (at position {exc.start + 1})") from None
    if not text.strip():
        raise RequestError("request", "empty; expected a JSON object")
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise RequestError("request", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") \
            from None
    except RecursionError:
        raise RequestError("request", "nested too deeply to read") from None
    except ValueError:  # Python's limit on the digits of an integer (sys.get_int_max_str_digits)
        raise RequestError("request", "a number with too many digits to read") from None


if __name__ == "__main__":
    raise SystemExit(main())
