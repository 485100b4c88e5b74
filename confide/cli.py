"""The `confide` command: demo, serve, audit, policy, users and Django's own management commands.

Errors are one line on stderr and exit code 2 (bad input or configuration) or 1 (a check failed).
A refusal from a service (a ConfideError, confide/errors.py) is printed in one place, _main: its
field (the option or argument it is about) and its message.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from confide import conf
from confide.errors import ConfideError


def _django(demo: bool = False, check_files: bool = True) -> None:
    """Set Django up. Unless told not to, refuse (one line, exit 2) when other users of this machine
    could read var/, the SQLite database or a key file (conf.check_private_files)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
    if demo:
        os.environ["CONFIDE_DEMO"] = "1"
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
        if check_files:
            conf.check_private_files_of(settings)
    except (ImproperlyConfigured, conf.ConfigError) as exc:
        raise SystemExit(_fail(str(exc))) from None


def _fail(message: str, code: int = 2) -> int:
    print(f"confide: {message}", file=sys.stderr)
    return code


def _refused(error: ConfideError) -> int:
    """A service's refusal as one line: 'confide: --team: no team ...', exit 2."""
    return _fail(f"{error.field}: {error}" if error.field and not str(error).startswith(f"{error.field}: ")
                 else str(error))


def _migrate() -> None:
    from confide.audit.dbroles import migrate_database

    migrate_database()  # as the tables' owner when CONFIDE_MIGRATE_DATABASE_URL is set


def cmd_demo(args) -> int:
    _django(demo=True)
    # The port first: one taken by another program is said before anything is made or printed.
    # Run by `make demo` (make sets MAKELEVEL), the way to pick another port is make's.
    how = "make demo PORT={port}" if os.environ.get("MAKELEVEL") else "confide demo --port {port}"
    listener = None if args.no_serve else _listen(args.host, args.port, how)
    _migrate()
    from confide import demo

    try:
        summary = demo.do_ensure_demo(pack=args.pack, clients=args.clients)
    except demo.DemoError as exc:
        return _fail(str(exc))
    print(summary.text(args.host, args.port, serving=listener is not None))
    if listener is None:
        return 0
    return _serve(args.host, args.port, listener)


def cmd_serve(args) -> int:
    _django()
    listener = _listen(args.host, args.port, "confide serve --port {port}")
    _migrate()
    return _serve(args.host, args.port, listener)


def _listen(host: str, port: int, how: str):
    """The socket to serve on, or one line saying why not and how to pick another port (exit 2)."""
    from confide import serving

    try:
        return serving.listen(host, port)
    except serving.PortUnavailable as exc:
        other = serving.free_port_after(host, port) or 8001
        raise SystemExit(_fail(f"{exc} Pick another: {how.format(port=other)}")) from None


def _serve(host: str, port: int, listener) -> int:
    from django.conf import settings

    from confide import serving
    from confide.wsgi import application

    options = {"threads": 8, "ident": "Confide", "clear_untrusted_proxy_headers": True}
    if settings.BEHIND_HTTPS:
        # Behind the HTTPS proxy only its X-Forwarded-Proto is believed, and only from its address;
        # without this waitress drops the header and every page would redirect to itself.
        options |= {"trusted_proxy": settings.TRUSTED_PROXY, "trusted_proxy_headers": {"x-forwarded-proto"}}
        print(f"Confide is serving on http://{host}:{port}/ for the HTTPS proxy at {settings.TRUSTED_PROXY} "
              "(Ctrl+C stops it)", flush=True)
    else:
        print(f"Confide is serving on http://{host}:{port}/  (Ctrl+C stops it)", flush=True)
    return serving.serve(application, listener, settings.SERVE_PROCESSES, options)


def cmd_audit(args) -> int:
    _django(check_files=False)  # reads only, and is meant to check copies and backups wherever they lie
    from django.db import DatabaseError

    try:
        return _audit(args)
    except DatabaseError as exc:
        # One line, the first of the driver's message: it names the database, never a password.
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return _fail(f"cannot read the audit log ({first}); check CONFIDE_DATABASE_URL and run 'confide manage migrate'")


def _audit(args) -> int:
    from confide.audit import checkpoint
    from confide.audit.models import AuditHead
    from confide.audit.services import check_kept_head, verify_chain

    if args.audit_command == "head":
        head = AuditHead.objects.get(pk=1)
        print(f"{head.seq} {head.hash}")
        return 0
    if args.audit_command == "checkpoint":
        try:
            signed = checkpoint.write_checkpoint()
        except checkpoint.CheckpointError as exc:
            return _fail(str(exc), 1)
        print(f"Signed checkpoint: event #{signed.seq} {signed.hash} at {signed.at} with key {signed.key}, "
              f"added to {checkpoint.log_path()}.")
        return 0
    result = verify_chain(workers=args.workers)
    if not result.ok:
        print(result.message(), file=sys.stderr)
        return 1
    try:
        report = checkpoint.check_checkpoints()
    except checkpoint.CheckpointError as exc:
        return _fail(str(exc))
    if not report.ok:
        print(f"Audit log BROKEN against its signed checkpoints: {report.problem}.", file=sys.stderr)
        return 1
    message = result.message()
    if not report.count and result.checked:
        print(f"Note: no signed checkpoints in {checkpoint.log_path()} yet, so events cut from the end would not "
              "be noticed; 'confide serve' signs one every few minutes, 'confide audit checkpoint' at once.",
              file=sys.stderr)
    if report.count:
        message += (f" It holds all {report.count} signed checkpoint{'' if report.count == 1 else 's'}"
                    f" (the newest #{report.newest.seq}, signed {report.newest.at}).")
    if args.against is not None:
        problem = check_kept_head(*args.against)
        if problem:
            print(f"Audit log BROKEN against the kept head: {problem}.", file=sys.stderr)
            return 1
        print(message + f" It still holds the kept head #{args.against[0]}.")
        return 0
    print(message)
    return 0


def _kept_head(text: str) -> tuple[int, str]:
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64 or not all(c in "0123456789abcdef" for c in parts[1]):
        raise argparse.ArgumentTypeError("expected what 'confide audit head' printed: a number and a 64-character hash")
    return int(parts[0]), parts[1]


def cmd_keys(args) -> int:
    from confide.keys import KeyStoreError, MasterKey

    if args.keys_command == "generate":
        print(MasterKey.generate().text())
        return 0
    _django()
    from confide.keys.runtime import key_store

    try:
        store = key_store()
        if args.keys_command == "status":
            status = store.status()
            print(f"Key store {status['path']}: {status['data_keys']} client data keys, {status['destroyed']} destroyed; "
                  f"master key {status['master_key_id']}; keys wrapped with {', '.join(status['wrapped_with']) or 'none yet'}.")
            return 0
        try:
            new = MasterKey.from_text(Path(args.new_key_file).read_text(encoding="utf-8"), "--new-key-file")
        except OSError as exc:
            return _fail(f"--new-key-file: could not read {args.new_key_file!r} ({exc.strerror})")
        if new.key_id == store.master.key_id:
            return _fail("--new-key-file: that is the current master key; make a new one with 'confide keys generate'")
        count = store.rotate(new)
    except KeyStoreError as exc:
        return _fail(str(exc))
    print(f"Re-wrapped {count} client data keys under master key {new.key_id}.\n"
          "Now give Confide the new key (CONFIDE_MASTER_KEY or CONFIDE_MASTER_KEY_FILE) and restart it; "
          "keep the old key until the key-store backups made with it have expired.")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def cmd_user(args) -> int:
    _django()
    from confide import users

    # A UserError (a ConfideError) is printed by _main, as every refusal is.
    if args.user_command == "setup-code":
        message = users.new_setup_code(args.username)
    elif args.user_command == "password":
        message = users.change_password(args.username, sys.stdin.readline().rstrip("\n"))
    elif args.user_command == "role":
        message = users.change_role(args.username, role=args.role, team=args.team)
    elif args.user_command == "disable":
        message = users.disable(args.username)
    else:
        message = users.do_add_user(args.username, role=args.role, team=args.team, first_name=args.first_name,
                                    last_name=args.last_name, password_from_stdin=args.password_stdin)
    print(message)
    return 0


def _day(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def cmd_remind(args) -> int:
    """The daily reminders (run once a day, from cron or a systemd timer): notices of consents
    ending, then, if the organisation has chosen it, one email to each person with something new
    waiting, saying only how many things and where Confide is."""
    _django()
    from confide.notices.services import do_email_reminders, site_address
    from confide.sharing.tasks import CONSENT_ENDING_DAYS, do_notify_consents_ending

    given = do_notify_consents_ending(args.on, CONSENT_ENDING_DAYS)
    print(f"Consents ending within {CONSENT_ENDING_DAYS} days: {given} new notice{'' if given == 1 else 's'}.")
    sent, failed = do_email_reminders(args.site or site_address())
    print(f"Reminder emails sent: {sent}." + (f" Could not send {failed}; they are tried again next time." if failed
                                              else ""))
    return 1 if failed else 0


def cmd_retention(args) -> int:
    """The retention schedule from the command line (run daily from cron or a systemd timer to prepare
    batches): what falls due, a batch for two people to approve, an approval, applying it. A
    RetentionError (a ConfideError) is printed by _main as one line, exit 2."""
    _django()
    import json

    from confide.retention import schedule, services

    if args.retention_command in ("due", "batch"):
        schedule.do_recompute()  # every line worked out again first: the pack, or a case, may have changed
    if args.retention_command == "due":
        if args.json:
            print(json.dumps(schedule.due_json(args.on), indent=2))
            return 0
        lines = schedule.falling_due(args.on)
        held = schedule.live_holds({d.client_id for d in lines if d.client_id is not None})
        for due in lines:
            print(f"{due.due_on} client {due.client_id} {due.record_class} #{due.object_id}: {due.action} "
                  f"(rule {due.rule}, clause {due.clause})" + (" HELD" if due.client_id in held else ""))
        print(f"{len(lines)} line{'' if len(lines) == 1 else 's'} fall due by {args.on}.")
        return 0
    if args.retention_command == "batch":
        batch = services.do_prepare_batch(args.on)
        held = batch.result.get("held", 0)
        print(f"Batch {batch.pk}: {len(batch.lines)} line{'' if len(batch.lines) == 1 else 's'} falling due by "
              f"{args.on}" + (f", {held} held back by a legal hold" if held else "")
              + f". Two different people approve it: confide retention approve {batch.pk} --as USERNAME")
        from django.utils import timezone

        early = sum(1 for line in batch.lines if line["due_on"] and line["due_on"] > timezone.localdate().isoformat())
        if early:
            print(f"confide: warning: batch {batch.pk} is for a day to come: {early} of its lines are not due yet "
                  "by today's date, and applying it destroys them before the policy's period ends.", file=sys.stderr)
        return 0
    if args.retention_command == "approve":
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=args.as_user, is_active=True).first()
        if user is None:
            return _fail(f"--as: no active user {args.as_user!r}")
        services.do_approve(args.batch, user, command_line=True)
        count = services.BatchApproval.objects.filter(batch_id=args.batch).count()
        print(f"Batch {args.batch} approved by {user.get_username()} ({count} of {services.APPROVALS_NEEDED} "
              "approvals).")
        return 0
    result = services.do_apply(args.batch)
    counts = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in sorted(result["counts"].items()) if n)
    print(f"Batch {args.batch} applied: {result['destroyed']} client file{'' if result['destroyed'] == 1 else 's'} "
          f"destroyed, {result['returned']} returned to the sender, {result['minimised']} application"
          f"{'' if result['minimised'] == 1 else 's'} minimised, {result['personnel_destroyed']} personnel file"
          f"{'' if result['personnel_destroyed'] == 1 else 's'} destroyed, {result['held']} held back by a legal hold, "
          f"{result['not_due']} no longer due, {result['left_for_review']} left for review."
          + (f" Removed: {counts}." if counts else ""))
    return 0


def cmd_sar(args) -> int:
    """Subject access from the command line: the strictest draft of a client's copy, as the pages
    would compile it now (every third-party item withheld, every proposed redaction applied)."""
    _django()
    from django.http import Http404

    from confide.pdf import PdfUnavailable
    from confide.subject_access.access import access_file_for_command
    from confide.subject_access.services import draft_pdf

    out = Path(args.out)
    if out.exists() and out.is_dir():
        return _fail(f"--out: {args.out!r} is a directory; give a file name such as draft.pdf")
    if not out.parent.is_dir():
        return _fail(f"--out: there is no directory {str(out.parent)!r}")
    try:
        grant = access_file_for_command(args.client_id)
    except (LookupError, Http404):
        return _fail(f"no client number {args.client_id}: see the client's number on their file")
    try:
        pdf = draft_pdf(grant)
    except PdfUnavailable as exc:
        return _fail(str(exc), 1)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a file that was there keeps its mode otherwise
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
    except OSError as exc:
        return _fail(f"--out: could not write {args.out!r} ({exc.strerror})")
    print(f"Wrote the strictest subject-access draft for client {grant.client.pk} to {args.out} "
          f"({len(pdf)} bytes). It is a draft: a second person reviews before anything is released.")
    return 0


def cmd_report(args) -> int:
    """`confide report quarter --quarter 2026-Q3 [--json]`: the tables as they would be published
    (each {"title", "rows", "columns", "cells", "row_totals", "column_totals", "total"}, a hidden number
    null); the read recorded in the audit chain with no person behind it."""
    _django()
    from confide.reports import access, figures, sdc

    try:
        start, end = figures.parse_quarter(args.quarter)
    except figures.PeriodError as exc:
        return _fail(str(exc))
    made = access.figures_for_command("quarter", start, end)
    if args.json:
        print(sdc.to_json(made.published))
        return 0
    for table in made.published:
        print(table.title)
        width = max([len(r) for r in table.rows] + [5]) + 2
        print(" " * width + " | ".join(table.columns) + " | Total")
        for label, cells, total in zip(table.rows, table.cells, table.row_totals, strict=True):
            print(label.ljust(width) + " | ".join("-" if c is None else str(c) for c in (*cells, total)))
        print("Total".ljust(width) + " | ".join("-" if c is None else str(c) for c in (*table.column_totals, table.total)))
        print()
    return 0


def cmd_backup(args) -> int:
    """A consistent, verified backup of the database and, beside it, the key store (README: Backups
    that keep destruction). A BackupError (a ConfideError) is printed by _main."""
    _django()
    from django.db import DatabaseError

    from confide.backup import do_make_backup

    try:
        print(do_make_backup(Path(args.out)).text())
    except DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return _fail(f"cannot read the database ({first}); nothing was backed up. Check CONFIDE_DATABASE_URL and "
                     "run 'confide manage migrate'")
    return 0


def cmd_restore(args) -> int:
    """Restore a backup over the configured database and key store (stop Confide first), then replay
    the destruction journal, so nobody destroyed since the backup comes back."""
    _django()
    from confide.backup import do_restore_backup

    print(do_restore_backup(Path(args.directory)).text())
    return 0


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["confide manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confide", description="Confide: confidential case records.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="create a demo organisation with fictional people, then serve it")
    demo.add_argument("--pack", default="dvip", help="built-in policy pack for the demo organisation (default dvip)")
    demo.add_argument("--clients", type=int, default=40, help="number of fictional clients (default 40)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="set up and print the logins, but do not serve")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="serve Confide (migrates the database first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    audit = sub.add_parser("audit", help="the tamper-evident audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    verify = audit_sub.add_parser("verify", help="check the hash chain and every signed checkpoint; report the first "
                                 "problem and exit 1 if any")
    verify.add_argument("--workers", type=_positive, default=None,
                        help="processes that check hashes on SQLite (default: one per core for long chains)")
    verify.add_argument("--against", type=_kept_head, metavar="'N HASH'",
                        help="also check that the chain still holds a head printed earlier by 'confide audit head'")
    audit_sub.add_parser("head", help="print the newest event's number and hash, to keep somewhere else")
    audit_sub.add_parser("checkpoint", help="sign the chain's head and add it to the checkpoint log outside the "
                                            "database (serve does this every few minutes)")
    audit.set_defaults(func=cmd_audit)

    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="SUBCOMMAND")
    add = user_sub.add_parser("add", help="add a staff account, and print their one-time set-up code for the second factor")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="a role from the organisation's policy pack")
    add.add_argument("--team", help="team slug (trustees may have none)")
    add.add_argument("--first-name", default="")
    add.add_argument("--last-name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the first password from standard input")
    code = user_sub.add_parser("setup-code", help="a new one-time set-up code for the second factor (lost or new phone); "
                                                  "signs the person out everywhere")
    code.add_argument("username")
    password = user_sub.add_parser("password", help="a new password, read from standard input; signs the person out everywhere")
    password.add_argument("username")
    role = user_sub.add_parser("role", help="a new role and team; signs the person out everywhere")
    role.add_argument("username")
    role.add_argument("--role", required=True, help="a role from the organisation's policy pack")
    role.add_argument("--team", help="team slug (trustees may have none)")
    disable = user_sub.add_parser("disable", help="disable an account; signs the person out everywhere")
    disable.add_argument("username")
    user.set_defaults(func=cmd_user)

    keys = sub.add_parser("keys", help="the client data keys: generate a master key, status, rotate")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="SUBCOMMAND")
    keys_sub.add_parser("generate", help="print a new random master key (base64), for CONFIDE_MASTER_KEY")
    keys_sub.add_parser("status", help="how many data keys, how many destroyed, which master key wraps them")
    rotate = keys_sub.add_parser("rotate", help="re-wrap every client data key under a new master key")
    rotate.add_argument("--new-key-file", required=True, help="a file holding the new master key ('confide keys generate')")
    keys.set_defaults(func=cmd_keys)

    remind = sub.add_parser("remind", help="daily: tell workers of consents ending, and email anyone with something "
                                           "new waiting (if the organisation has chosen email reminders)")
    remind.add_argument("--on", type=_day, default=None, help="the day to remind as of, YYYY-MM-DD (default today)")
    remind.add_argument("--site", default="", help="Confide's address for the email (default CONFIDE_SITE_URL, or the "
                                                   "first allowed host)")
    remind.set_defaults(func=cmd_remind)

    retention = sub.add_parser("retention", help="the retention schedule: what falls due, batches, two approvals, "
                                                 "destruction")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True, metavar="SUBCOMMAND")
    due = retention_sub.add_parser("due", help="what falls due by a date (numbers, classes, rules and dates only)")
    due.add_argument("--on", type=_day, required=True, help="the day, YYYY-MM-DD")
    due.add_argument("--json", action="store_true", help="as JSON")
    prepare = retention_sub.add_parser("batch", help="daily: freeze what falls due by a date into a batch for two "
                                                     "people to approve; prints its number")
    prepare.add_argument("--on", type=_day, required=True, help="the day, YYYY-MM-DD")
    approve = retention_sub.add_parser("approve", help="approve a batch as a manager or the data controller")
    approve.add_argument("batch", type=_positive, help="the batch's number")
    approve.add_argument("--as", dest="as_user", required=True, metavar="USERNAME", help="who approves")
    apply = retention_sub.add_parser("apply", help="apply a batch two different people approved: destroy and "
                                                   "return what it lists")
    apply.add_argument("batch", type=_positive, help="the batch's number")
    retention.set_defaults(func=cmd_retention)

    report = sub.add_parser("report", help="reports for trustees and funders: the figures as they would be published")
    report_sub = report.add_subparsers(dest="report_command", required=True, metavar="{quarter}")
    quarter = report_sub.add_parser("quarter", help="a quarter's figures beside the previous quarter and the year "
                                                    "to date, small numbers hidden (aggregates only)")
    quarter.add_argument("--quarter", required=True, help="the quarter, as YEAR-Qn, for example 2026-Q3")
    quarter.add_argument("--json", action="store_true", help="print the published tables as JSON")
    report.set_defaults(func=cmd_report)

    sar = sub.add_parser("sar", help="subject access: the strictest draft of a client's copy")
    sar_sub = sar.add_subparsers(dest="sar_command", required=True, metavar="{draft}")
    draft = sar_sub.add_parser("draft", help="write the strictest draft (every third-party item withheld, every "
                                             "proposed redaction applied) of a client's copy as a PDF")
    draft.add_argument("client_id", help="the client's number")
    draft.add_argument("--out", required=True, help="the PDF file to write (private to you)")
    draft.set_defaults(func=cmd_sar)

    backup = sub.add_parser("backup", help="a verified backup of the database and the key store into a new directory")
    backup.add_argument("--out", required=True, help="a new or empty directory (made private to you)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup (stop Confide first), then remove again every client "
                                             "destroyed since")
    restore.add_argument("directory", metavar="DIR", help="the directory 'confide backup' wrote")
    restore.set_defaults(func=cmd_restore)

    manage = sub.add_parser("manage", help="Django's management commands (migrate, check, …)")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)

    sub.add_parser("policy", help="policy packs: packs, check, lint, explain, decide", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    conf.private_umask()  # before anything can create a file: the database, its WAL and SHM, keys
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader stopped early (`confide policy explain … | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "policy":
        from confide.policy.cli import main as policy_main

        return policy_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "clients", 1) is not None and getattr(args, "clients", 1) < 0:
        return _fail("--clients: expected a whole number of 0 or more")
    try:
        return args.func(args)
    except ConfideError as exc:
        return _refused(exc)


if __name__ == "__main__":
    sys.exit(main())
