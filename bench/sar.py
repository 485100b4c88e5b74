"""Subject-access benchmark: compiling and rendering a client's copy (UK GDPR Art 15) for a file of
1,000 entries; the issue's target is under 10 seconds for the whole.

    .venv/bin/python bench/sar.py               # 1,000 entries, 5 rounds, writes its section of bench/RESULTS.md
    .venv/bin/python bench/sar.py --quick       # smoke run: 50 entries, 1 round, prints only
    .venv/bin/python bench/sar.py --entries 2000 --no-write

One DVIP client is built, through the services a worker uses, on a database made for this run (a
temporary directory: its own SQLite file, keystore and master key, dropped at the end): a Women's
Support Service case, three people recorded around her (an ex-partner, her sister and a friend, each
with a phone number and an address), --entries entries (notes of 300-600 characters: some name those
people, some with their numbers or addresses, some from a third party, some about others only, some
health, a few sealed; risk assessments; text documents), a few corrected, a safe contact, consents,
requests to share, and a record of access of --events events. Everyone in it is fictional (Ofcom's
drama numbers, made-up streets and postcode areas).

Measured, each round in a fresh order, after one warm-up run that is reported apart (the first run
in a process builds Presidio's recognisers and imports WeasyPrint):
  (a) compile: `compile.collect(grant, sar)`, the grant from `access.access_sar_client` (the data
      controller) and a saved SubjectAccessRequest;
  (b) `services.do_compile` (collect, then store the items and the proposed redactions, sealed);
  (c) rendering the copy: `services.preview_pdf(sar)` (WeasyPrint);
  (d) the whole: (b) then (c);
  (e) the command line's draft: `access.access_file_for_command` then `services.draft_pdf`.
Then one more round of (d) under cProfile, for what bounds it. Figures are medians of the rounds with
the lowest and highest, never the best.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audit import machine, write_section  # noqa: E402 -- one writer of RESULTS.md sections, one machine line

TARGET_S = 10.0
SEED = 2026
PASSWORD = "bench-password-2026"  # noqa: S105 -- throwaway accounts on a throwaway database

# Everyone here is fictional: the numbers are Ofcom's drama range, the streets and towns made up, and
# EM and HB are not postcode areas.
CLIENT = "Perdita Vallenhook"
EX = ("ex_partner", "Lucan Ferrowby", "07700 900318, 14 Larch Road, Eastmere EM1 4QT")
SISTER = ("family_member", "Odile Marchbank", "07700 900552, 3 Fennick Close, Eastmere EM2 7RD")
FRIEND = ("friend", "Wynona Pellicott", "07700 900744, Flat 2, 9 Copperbeech Terrace, Holmbury HB4 1XS")
FIRST_NAMES = {"ex": "Lucan", "sister": "Odile", "friend": "Wynona"}
SAFE = {"number": "07700 900461", "when": "Weekdays 10:00 to 12:00", "say": "Calling from the surgery"}

CLIENT_ONLY = [
    "Phoned Perdita at the agreed safe time; she confirmed the safe number is still current and she could talk.",
    "Face-to-face session at the office. We went through the safety plan together and agreed no changes for now.",
    "Perdita asked about the next family court hearing. I explained what a fact-finding hearing is.",
    "Discussed housing options; Perdita will contact the housing office herself this week and tell me how it went.",
    "Perdita said she is sleeping better since the locks were changed and feels more settled at home.",
    "Talked through the group programme dates; she would like to join the Thursday group from next month.",
    "Letter sent to the address Perdita gave for post, as agreed, confirming the next appointment.",
    "Perdita brought the letter from the benefits office; we filled in the change of circumstances form together.",
    "Reviewed her support plan: the goals on housing and money remain; the goal on legal advice is met.",
    "She is worried about money this month. Gave details of the local food bank and the hardship fund.",
    "Explained again how we keep her information and when we might have to share it without her agreement.",
    "Perdita feels more confident going out in the day and has started walking to the shops on her own.",
    "Agreed the next session for the same time next week, at the office rather than at home.",
    "She asked for the leaflet on the freedom programme in large print; I will post it to her.",
]
ABOUT_EX = [
    "Perdita said Lucan Ferrowby came to the school gate on Tuesday and shouted at her in front of other parents.",
    "She has had eleven missed calls from Lucan's number, 07700 900318, since Friday; she answered none of them.",
    "Perdita believes Lucan is still living at 14 Larch Road, Eastmere EM1 4QT, with his brother.",
    "Lucan sent a message asking to see the children at the weekend; Perdita wants contact to go through the court.",
    "Perdita is afraid Mr Ferrowby will find out her new address from the children's school.",
    "We talked about what to do if Lucan turns up at the house: call 999, and use the code word with her sister.",
    "She showed me texts from 07700900318 sent late at night; she has kept screenshots for her solicitor.",
    "The hearing on Lucan's non-molestation order is listed for next month; Perdita will attend with the IDVA.",
]
ABOUT_FAMILY = [
    "Perdita is staying with her sister Odile Marchbank at 3 Fennick Close, Eastmere EM2 7RD, for a few nights.",
    "Her sister Odile can be reached on 07700 900552 if Perdita's phone is off; Perdita agreed we may call her.",
    "Perdita's friend Wynona Pellicott came with her to the appointment and waited in reception.",
    "Wynona (07700 900744) has offered to look after the children on group evenings.",
    "Perdita sometimes stays at Wynona's flat, Flat 2, 9 Copperbeech Terrace, Holmbury HB4 1XS.",
    "Odile Marchbank rang to say Perdita had lost her phone and would call from +44 7700 900552 instead.",
]
FROM_THIRD_PARTY = [
    "Odile Marchbank phoned the office. She said Lucan had been seen parked outside her house on Sunday evening.",
    "Wynona Pellicott told us she is worried about Perdita and that Lucan has been sending messages to her too.",
    "The school's safeguarding lead said Lucan Ferrowby asked the office for the children's new address.",
    "A neighbour told Odile that Lucan had been asking where Perdita works; Odile passed this on to us by phone.",
]
ABOUT_OTHERS_ONLY = [
    "Odile Marchbank has moved out of Fennick Close and is renting privately; she asked us not to record where.",
    "Lucan Ferrowby has started a new job on a building site in Holmbury, according to his probation officer.",
    "Wynona Pellicott said her own landlord has given her notice and she may not be able to put anyone up.",
]
HEALTH = [
    "Perdita said her GP has increased her antidepressant dose and referred her to talking therapies.",
    "She had a panic attack on the bus last week and went to A&E; she was discharged the same day.",
    "Perdita is not sleeping and has lost weight; she has an appointment with the GP on Monday.",
    "Talked about her anxiety; she finds the breathing exercises from the group useful.",
]
RISK = [
    "Risk assessment completed with Perdita using the checklist. Safety plan agreed and copied to the file.",
    "Reviewed the risk assessment with Perdita; one new incident reported since the last review.",
    "Risk reviewed with the team manager in supervision; the level stays the same and the plan stands.",
]
DOCUMENT = ("Letter from the housing office about the transfer list. Band B confirmed; the next review is in six "
            "months. Perdita is asked to tell the office of any change of address.")

# Kind of note, its share of the notes, and (sentences to draw from, about the client, source, about whom).
MIX = [
    ("client_only", 0.42, CLIENT_ONLY, True, "worker", ()),
    ("names_ex", 0.20, ABOUT_EX, True, "client", ("ex",)),
    ("names_family", 0.12, ABOUT_FAMILY, True, "client", ("sister", "friend")),
    ("third_party", 0.11, FROM_THIRD_PARTY, True, "third_party", ("ex", "sister", "friend")),
    ("others_only", 0.04, ABOUT_OTHERS_ONLY, False, "worker", ("ex", "sister", "friend")),
    ("health", 0.08, HEALTH, True, "client", ()),
    ("sealed", 0.005, HEALTH, True, "client", ()),
    ("risk_assessment", 0.025, RISK, True, "worker", ()),
    ("document", 0.01, [DOCUMENT], True, "client", ()),
]
CONTACTS = ["face_to_face", "phone", "phone", "text", "email", "letter", "missed"]


# What the profiled round is split into (label, file, function), for the section.
NAMED = [
    ("`services.do_compile`", "subject_access/services.py", "do_compile"),
    ("of which `compile.collect`", "subject_access/compile.py", "collect"),
    ("of which `redaction.propose`", "subject_access/redaction.py", "propose"),
    ("`services.preview_pdf`", "subject_access/services.py", "preview_pdf"),
    ("of which WeasyPrint's layout (`HTML.render`)", "weasyprint/__init__.py", "render"),
    ("WeasyPrint's writing of the PDF (`Document.write_pdf`)", "weasyprint/document.py", "write_pdf"),
    ("of which the PDF's tags (`pdf/tags.py add_tags`)", "weasyprint/pdf/tags.py", "add_tags"),
    ("of which pydyf's `page_references`", "pydyf/__init__.py", "page_references"),
]


# --- inside the child: Django on the run's database ---------------------------------------------------

def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
    import django

    django.setup()


def _text(rng: random.Random, pool: list[str]) -> str:
    """A note of 300-600 characters: sentences of its kind first, then everyday ones about the client."""
    want = rng.randint(300, 600)
    sentences = [rng.choice(pool)]
    while len(" ".join(sentences)) < want:
        sentences.append(rng.choice(pool if rng.random() < 0.4 else CLIENT_ONLY))
    while len(" ".join(sentences)) > 600 and len(" ".join(sentences[:-1])) >= 300:
        sentences.pop()
    text = " ".join(sentences)
    return text if len(text) <= 600 else text[:text.rfind(" ", 0, 599)] + "."


def build(entries: int, events: int) -> dict:
    """The client's file, written through the services a worker uses. Returns the ids and what was built."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from confide.accounts.models import Organisation, Team
    from confide.audit.actions import Action
    from confide.audit.models import AuditEvent
    from confide.audit.services import record_event
    from confide.policy import load_pack
    from confide.records import access as gate
    from confide.records.entries import (
        EntryFacts,
        do_add_document,
        do_add_note,
        do_add_risk_assessment,
        do_correct_entry,
    )
    from confide.records.models import Case, Client
    from confide.records.people import do_add_related_person
    from confide.records.safe_contact import do_set_safe_contact
    from confide.sharing.consent import Given, do_record_consent
    from confide.sharing.disclosure import Asked, Recipient, do_request_disclosure

    start = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 -- fictional data, not security
    pack = load_pack("dvip")
    organisation = Organisation.objects.create(id=1, name="Larkmoor Support Service (benchmark)", pack="dvip",
                                               phone="01632 960000", email="office@larkmoor.example",
                                               address="9 Quarry Fold, Larkmoor, LM1 9ZZ")
    team = Team.objects.create(name="North team", slug="north")
    User = get_user_model()

    def account(username: str, role: str, first: str, last: str):
        return User.objects.create_user(username=username, password=PASSWORD, role=role, team=team,
                                        first_name=first, last_name=last)

    worker = account("bench-worker", "wss_worker", "Wren", "Worker")
    controller = account("bench-controller", "head_of_service_delivery", "Dara", "Controller")
    account("bench-manager", "team_manager", "Mona", "Manager")
    today = timezone.localdate()
    client = Client.objects.create(display_name=CLIENT, team=team, subject_role="victim")
    case = Case.objects.create(client=client, service="wss", team=team, status=Case.Status.OPEN,
                               referred_on=today - dt.timedelta(days=900))
    case.workers.add(worker)
    people = {key: do_add_related_person(worker, client, relationship, {"name": name, "contact": contact})
              for key, (relationship, name, contact) in zip(("ex", "sister", "friend"), (EX, SISTER, FRIEND),
                                                            strict=True)}
    do_set_safe_contact(worker, client, SAFE)

    weights = [share for _, share, *_ in MIX]
    counts: dict[str, int] = {kind: 0 for kind, *_ in MIX}
    written, lengths = [], []
    for _ in range(entries):
        kind, _share, pool, about_client, source, about = rng.choices(MIX, weights)[0]
        counts[kind] += 1
        text = _text(rng, pool)
        lengths.append(len(text))
        categories = ["case_notes"]
        if kind in ("health", "sealed"):
            categories = ["case_notes", "health"] if kind == "health" else ["medical_record"]
        named = [people[k] for k in about if FIRST_NAMES[k] in text]
        about_people = (named or [people[about[0]]]) if about else []
        facts = EntryFacts(categories=categories, about_client=about_client, about_people=about_people,
                           source=source, sealed=kind == "sealed")
        if kind not in ("risk_assessment", "document") and rng.random() < 0.6:
            facts.contact_kind = rng.choice(CONTACTS)
            facts.contact_on = case.referred_on + dt.timedelta(days=rng.randint(0, 899))
            if facts.contact_kind not in ("missed", "letter"):
                facts.duration_minutes = rng.choice((10, 15, 20, 30, 45, 60, 90))
        if kind == "risk_assessment":
            facts.categories = ["risk_assessment"]
            entry = do_add_risk_assessment(worker, case, text, rng.choice(("standard", "medium", "high")), facts)
        elif kind == "document":
            facts.categories = ["case_notes", "home_address"]
            entry = do_add_document(worker, case, f"housing-letter-{counts[kind]}.txt", "text/plain",
                                    text.encode(), "Letter from the housing office", facts)
        else:
            entry = do_add_note(worker, case, text, facts)
        written.append((kind, entry))

    corrected = 0
    for kind, entry in written:
        if kind in ("client_only", "names_ex") and corrected < max(1, entries // 70) and rng.random() < 0.1:
            new = _text(rng, CLIENT_ONLY if kind == "client_only" else ABOUT_EX)
            do_correct_entry(worker, entry, new, "Corrected at the client's request: the first version was wrong.")
            corrected += 1

    # Consents and requests to share, as a worker records them (any that the pack refuses are still recorded).
    consents = disclosures = 0
    for days, recipients in ((400, ["police"]), (60, ["gp"])):
        try:
            do_record_consent(worker, pack, organisation.name, client, "wss", Given(
                recipients=recipients, agencies=[], data=["case_notes"], purposes=["liaison"], how="written",
                has_capacity=True, informed=True, free_from_duress=True, given_on=today - dt.timedelta(days=days),
                expires_on=today + dt.timedelta(days=90),
                form_file=("signed-consent.txt", "text/plain", b"Signed consent form, scanned.")))
            consents += 1
        except Exception as exc:  # noqa: BLE001 -- the pack may refuse one; the benchmark says how many it has
            print(f"  consent not recorded: {type(exc).__name__}: {exc}", file=sys.stderr)
    grant = gate.access_client_to_write(worker, client.pk, "direct_support", action=Action("client.sharing.write"))
    notes = [e for k, e in written if k == "names_ex"][:2] or [written[0][1]]
    for purpose, kind, grounds in (("child_protection", "social_services", ["child_at_risk_of_significant_harm"]),
                                   ("liaison", "police", [])):
        try:
            do_request_disclosure(worker, pack, grant, case, Asked(
                recipient=Recipient(kind=kind, name="Duty desk"), entries=notes, purpose=purpose,
                channel="secure_email", grounds=grounds, reason="Concerns raised at the last session."))
            disclosures += 1
        except Exception as exc:  # noqa: BLE001
            print(f"  request to share not recorded: {type(exc).__name__}: {exc}", file=sys.stderr)

    # The record of access: workers and the manager opening the file, up to --events events in all.
    readers = [(worker, "direct_support")] * 8 + [(User.objects.get(username="bench-manager"), "supervision")] * 2
    have = AuditEvent.objects.filter(client_id=client.pk).count()
    with transaction.atomic():
        for i in range(max(0, events - have)):
            user, purpose = readers[i % len(readers)]
            record_event(user, Action.CLIENT_READ, object_type="client", object_id=client.pk, client_id=client.pk,
                         purpose=purpose, detail={"role": user.role})
    return {"client_id": client.pk, "controller": controller.pk, "counts": counts, "corrected": corrected,
            "consents": consents, "disclosures": disclosures, "note_chars": [min(lengths), max(lengths)],
            "events": AuditEvent.objects.filter(client_id=client.pk).count(),
            "built_s": time.perf_counter() - start}


def _pages(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # a test-only dependency: without it, no page count
        return None
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _where(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _top(profile: cProfile.Profile, key: str, count: int = 8) -> list[dict]:
    stats = pstats.Stats(profile).stats  # {(file, line, name): (primitive calls, calls, own, cumulative, callers)}
    rows = []
    for (path, line, name), (_primitive, calls, own, cumulative, _callers) in stats.items():
        if path == __file__ or name in ("<built-in method builtins.exec>", "<method 'disable' of '_lsprof.Profiler' "
                                        "objects>"):
            continue
        where = name if path == "~" else f"{_where(path)}:{line} {name}"
        rows.append({"function": where, "calls": calls, "own": own, "cumulative": cumulative})
    rows.sort(key=lambda r: -r[key])
    return rows[:count]


def _summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "low": min(values), "high": max(values), "n": len(values)}


def child(entries: int, events: int, rounds: int) -> dict:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from confide.subject_access import access, services
    from confide.subject_access import compile as compiling
    from confide.subject_access.models import Item, Redaction

    call_command("migrate", interactive=False, verbosity=0)
    built = build(entries, events)
    client_id = built["client_id"]
    controller = get_user_model().objects.get(pk=built["controller"])
    grant = access.access_sar_client(controller, client_id)
    today = timezone.localdate()
    state = {"sar": services.do_log_request(controller, grant, services.Received(
        received_on=today, made="writing", identity_check="known", identity_confirmed_on=today))}
    pdfs: dict[str, bytes] = {}

    def collect():
        compiling.collect(access.access_sar_client(controller, client_id), state["sar"])

    def do_compile():
        sar = state["sar"]
        state["sar"] = services.do_compile(controller, access.access_sar_client(controller, client_id), sar,
                                           sar.version)

    def preview():
        pdfs["preview"] = services.preview_pdf(state["sar"])

    def whole():
        do_compile()
        preview()

    def cli_draft():
        pdfs["draft"] = services.draft_pdf(access.access_file_for_command(client_id))

    measures = {"collect": collect, "do_compile": do_compile, "preview_pdf": preview, "whole": whole,
                "cli_draft": cli_draft}

    start = time.perf_counter()  # the first run in this process: recognisers built, WeasyPrint imported
    whole()
    first_whole = time.perf_counter() - start
    start = time.perf_counter()
    cli_draft()
    first_draft = time.perf_counter() - start

    seconds: dict[str, list[float]] = {name: [] for name in measures}
    order = list(measures)
    shuffle = random.Random(SEED)  # noqa: S311 -- the order of the measures, not security
    for r in range(rounds):
        shuffle.shuffle(order)
        for name in order:
            start = time.perf_counter()
            measures[name]()
            seconds[name].append(time.perf_counter() - start)
        print(f"  round {r + 1}: " + ", ".join(f"{n} {seconds[n][-1]:.2f} s" for n in measures), file=sys.stderr,
              flush=True)

    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    whole()
    profile.disable()
    profiled_s = time.perf_counter() - start
    by = pstats.Stats(profile).stats
    named = {}  # cumulative seconds of the steps that matter, in the profiled round
    for label, path_end, function in NAMED:
        named[label] = sum(v[3] for (path, _line, name), v in by.items() if path.endswith(path_end) and name == function)

    sar = state["sar"]
    decisions = list(Item.objects.filter(request=sar).values_list("decision", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()") if connection.vendor == "sqlite" else cursor.execute("select 1")
        engine = f"SQLite {cursor.fetchone()[0]}" if connection.vendor == "sqlite" else connection.vendor
    import presidio_analyzer
    import weasyprint

    return {
        "entries": entries, "rounds": rounds, "built": built, "engine": engine,
        "versions": {"weasyprint": weasyprint.__version__,
                     "presidio": getattr(presidio_analyzer, "__version__", "") or _dist("presidio-analyzer")},
        "seconds": {name: _summary(values) for name, values in seconds.items()},
        "first": {"whole": first_whole, "cli_draft": first_draft},
        "items": {"all": len(decisions), **{d: decisions.count(d) for d in Item.Decision.values}},
        "proposals": Redaction.objects.filter(item__request=sar).count(),
        "pdf": {name: {"bytes": len(pdf), "pages": _pages(pdf)} for name, pdf in pdfs.items()},
        "profiled_s": profiled_s, "named": named,
        "top_cumulative": _top(profile, "cumulative"), "top_own": _top(profile, "own"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _dist(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


# --- the parent: a private database, the child, the section ----------------------------------------

def run(args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["CONFIDE_LOG_LEVEL"] = "WARNING"
    with tempfile.TemporaryDirectory(prefix="confide-bench-sar-") as var:
        env["CONFIDE_VAR_DIR"] = var
        env["CONFIDE_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        out = subprocess.run([sys.executable, __file__, "--child", "--entries", str(args.entries), "--events",
                              str(args.events), "--rounds", str(args.rounds)],
                             env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _cell(s: dict) -> str:
    return f"{s['median']:.2f} ({s['low']:.2f}–{s['high']:.2f})"


def report(r: dict, command: str, started: str, machine_line: str, load_after: str) -> str:
    b, c, s, items = r["built"], r["built"]["counts"], r["seconds"], r["items"]
    notes = sum(c[k] for k in ("client_only", "names_ex", "names_family", "third_party", "others_only", "health",
                               "sealed"))
    whole = s["whole"]["median"]
    met = whole < TARGET_S

    def pdf(name: str) -> str:
        p = r["pdf"][name]
        pages = f"{p['pages']:,} pages" if p["pages"] is not None else "pages not counted (no pypdf)"
        return f"{pages}, {p['bytes'] / 1e6:.1f} MB ({p['bytes']:,} bytes)"

    lines = [
        "## Subject access: compiling and rendering the copy",
        "",
        f"Command: `{command}` (run {started}).",
        f"Machine: {machine_line} at the start, {load_after} at the end. Shared and noisy.",
        f"{r['engine']} on a database made for this run (a temporary directory, dropped after); WeasyPrint "
        f"{r['versions']['weasyprint']}, Presidio analyzer {r['versions']['presidio']}.",
        "",
        f"**The file** (bench/sar.py docstring): one DVIP client (Women's Support Service) with one case, 3 people "
        f"recorded around her (an ex-partner, her sister and a friend, each with a phone number and an address), "
        f"**{r['entries']:,} entries**: {notes:,} notes of {b['note_chars'][0]}–{b['note_chars'][1]} characters "
        f"({c['names_ex'] + c['names_family']:,} naming those people, often with a number or address; "
        f"{c['third_party']:,} from a third party; {c['others_only']:,} about the others only; {c['health']:,} health; "
        f"{c['sealed']:,} sealed), {c['risk_assessment']:,} risk assessments and {c['document']:,} text documents; "
        f"{b['corrected']:,} entries corrected (their earlier versions compiled too), a safe contact, "
        f"{b['consents']} consents, {b['disclosures']} requests to share, and a record of access of "
        f"{b['events']:,} events. Built through the services in {b['built_s']:.0f} s (not measured).",
        "",
        f"Compiled: {items['all']:,} items (released {items.get('release', 0):,}, with redactions "
        f"{items.get('redact', 0):,}, withheld {items.get('withhold', 0):,}, waiting for a health opinion "
        f"{items.get('wait_health', 0):,}) and {r['proposals']:,} redactions proposed. The copy (c): {pdf('preview')}; "
        f"the command line's draft: {pdf('draft')}. "
        f"Peak memory of the process: {r['peak_rss_mb']:,.0f} MB.",
        "",
        f"**Seconds**, median of {r['rounds']} round{'s' if r['rounds'] != 1 else ''}, each in a fresh order (lowest–highest round), after a "
        f"first run in the process that is not counted: the whole took {r['first']['whole']:.2f} s then, and "
        f"the draft {r['first']['cli_draft']:.2f} s (Presidio's recognisers built, WeasyPrint imported).",
        "",
        "| step | what it calls | seconds |",
        "|---|---|---:|",
        f"| (a) compile | `compile.collect(grant, sar)`, grant from `access.access_sar_client` | "
        f"{_cell(s['collect'])} |",
        f"| (b) compile and store | `services.do_compile` (items and proposed redactions, sealed) | "
        f"{_cell(s['do_compile'])} |",
        f"| (c) render the copy | `services.preview_pdf(sar)` (WeasyPrint) | {_cell(s['preview_pdf'])} |",
        f"| **(d) the whole** | (b) then (c) | **{_cell(s['whole'])}** |",
        f"| the command line's draft | `access.access_file_for_command` then `services.draft_pdf` | "
        f"{_cell(s['cli_draft'])} |",
        "",
        f"Target (under {TARGET_S:.0f} s for the whole, {r['entries']:,} entries): **{'met' if met else 'NOT met'}**, "
        f"{whole:.2f} s median, {s['whole']['high']:.2f} s in the slowest round.",
        "",
        f"**What bounds it.** One more round of (d) under cProfile ({r['profiled_s']:.2f} s with the profiler's "
        f"overhead, so read the shares); the copy had {r['pdf']['preview']['pages'] or '?'} pages. Cumulative "
        "seconds in that round:",
        "",
        *[f"- {label}: {sec:.2f} s ({sec / r['profiled_s']:.0%})" for label, sec in r["named"].items()],
        "",
        "Top 8 by cumulative time:",
        "",
        "| function | calls | cumulative s | own s |",
        "|---|---:|---:|---:|",
        *[f"| `{row['function']}` | {row['calls']:,} | {row['cumulative']:.2f} | {row['own']:.2f} |"
          for row in r["top_cumulative"]],
        "",
        "Top 8 by own time (where the time is spent):",
        "",
        "| function | calls | own s | cumulative s |",
        "|---|---:|---:|---:|",
        *[f"| `{row['function']}` | {row['calls']:,} | {row['own']:.2f} | {row['cumulative']:.2f} |"
          for row in r["top_own"]],
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--entries", type=int, default=int(os.environ.get("BENCH_SAR_ENTRIES", "1000")),
                        help="entries on the client's file (default 1,000, the issue's size)")
    parser.add_argument("--events", type=int, default=3000,
                        help="events in the client's record of access (default 3,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the median is reported (default 5)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 50 entries, 300 events, 1 round, prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.entries, args.events, args.rounds)))
        return 0
    if args.quick:
        args.entries, args.events, args.rounds, args.no_write = 50, 300, 1, True
    command = (".venv/bin/python bench/sar.py " + " ".join(sys.argv[1:])).strip()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine_line = machine()
    print(f"== subject access: {args.entries:,} entries, {args.rounds} rounds", flush=True)
    result = run(args)
    text = report(result, command, started, machine_line, " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(text)
    if not args.no_write:
        write_section(text, "sar")
    return 0


if __name__ == "__main__":
    sys.exit(main())
