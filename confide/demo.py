"""The demo organisation: fictional clients, cases and notes, and a staff account in every role.

Names come from Faker (en_GB) with a fixed seed, so every demo is the same. Run twice, it reuses
what exists. It refuses to touch a database that holds a real (non-demo) organisation.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from confide.accounts.models import Organisation, Team
from confide.audit.services import record_event
from confide.keys import KeyStore
from confide.keys.runtime import key_store
from confide.policy import PolicyError, load_pack
from confide.records.models import Case, Client, Note

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- printed for the demo; demo data is fictional
DEMO_ORGANISATION = "Brightwater Support Service (demo)"
TEAMS = [("North team", "north"), ("South team", "south")]
BATCH = 2000

# Bland, factual, fictional note text (DVIP 9.03: factual and not speculative).
NOTE_LINES = [
    "Phoned at the agreed safe time. Client confirmed the safe number is still current.",
    "Face-to-face session at the office. Reviewed the safety plan together; no changes agreed.",
    "Client came to the planned session on time and took part throughout.",
    "Letter sent to the address the client gave for post, as agreed.",
    "Client asked for information about the next court date. Gave the court's public number.",
    "Missed appointment. Tried the safe number once at the agreed time; no answer, no message left.",
    "Discussed housing options. Client will contact the housing office herself this week.",
    "Risk assessment reviewed with the team manager in supervision; level unchanged.",
]


class DemoError(Exception):
    pass


@dataclass
class DemoSummary:
    organisation: str
    pack: str
    created: bool
    clients: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def text(self, host: str, port: int) -> str:
        lines = [
            f"{'Created' if self.created else 'Reusing'} the demo organisation '{self.organisation}' "
            f"on the '{self.pack}' policy pack, with {self.clients} fictional clients.",
            "",
            f"Open http://{host}:{port}/ and sign in with any of these (password for all: {DEMO_PASSWORD}):",
        ]
        width = max(len(username) for username, _, _ in self.logins)
        for username, role, team in self.logins:
            lines.append(f"  {username:<{width}}  {role}{' · ' + team if team else ''}")
        lines += ["", f"The demo runs the '{self.pack}' pack's rules for a made-up service. Demo mode waives the",
                  "second factor and says so on every page. Everyone here is fictional."]
        return "\n".join(lines)


def ensure_demo(pack: str = "dvip", clients: int = 40, seed: int = 2026) -> DemoSummary:
    try:
        policy = load_pack(pack)
    except PolicyError as exc:
        raise DemoError(f"--pack: {exc}") from None
    existing = Organisation.objects.filter(pk=1).first()
    if existing is not None:
        if not existing.is_demo:
            raise DemoError("this database holds a real organisation; the demo will not touch it "
                            "(set CONFIDE_DATABASE_URL or CONFIDE_VAR_DIR to use another)")
        if existing.pack != pack:
            raise DemoError(f"--pack: the demo here already uses '{existing.pack}'; remove var/ to start again with '{pack}'")
        return DemoSummary(existing.name, existing.pack, False, Client.objects.count(), _logins(policy))
    with transaction.atomic():
        # A made-up service name: the demo runs the real organisation's policy, not the organisation.
        organisation = Organisation.objects.create(id=1, name=DEMO_ORGANISATION, pack=pack, is_demo=True)
        count = _populate(policy, clients, seed)
        record_event(None, "demo.created", object_type="organisation", object_id=1,
                     detail={"pack": pack, "clients": count})
    return DemoSummary(organisation.name, pack, True, count, _logins(policy))


def _usernames(policy) -> list[tuple[str, str, str | None]]:
    """(username, role, team slug) for one account per role, and a second, South-team account for
    each worker role, so a demo shows a colleague in another team who cannot see your clients."""
    accounts = []
    for name, role in policy.roles.items():
        if role.kind == "trustee":
            accounts.append((name.replace("_", "-"), name, None))
            continue
        accounts.append((name.replace("_", "-"), name, "north"))
        if role.kind in {"worker", "volunteer"}:
            accounts.append((name.replace("_", "-") + "-south", name, "south"))
    return accounts


def _logins(policy) -> list[tuple[str, str, str]]:
    teams = dict((slug, label) for label, slug in TEAMS)
    return [(username, policy.roles[role].label, teams.get(team, "") if team else "")
            for username, role, team in _usernames(policy)]


def _populate(policy, clients: int, seed: int) -> int:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 -- a repeatable demo, not security
    User = get_user_model()
    teams = {slug: Team.objects.create(name=label, slug=slug) for label, slug in TEAMS}
    password = make_password(DEMO_PASSWORD)
    staff = []
    for username, role, team in _usernames(policy):
        first, last = fake.first_name(), fake.last_name()
        staff.append(User(username=username, role=role, team=teams[team] if team else None,
                          first_name=first, last_name=last, password=password, email=f"{username}@example.org"))
    User.objects.bulk_create(staff)
    staff = list(User.objects.all())
    services = list(policy.services)
    # Each case goes to a worker in its team whose role serves it (a role naming no service
    # serves all of them), so the demo's need-to-know looks like a real service's.
    workers = {
        (slug, service): [u for u in staff if u.team_id == team.pk and policy.roles[u.role].kind == "worker"
                          and service in (getattr(policy.roles[u.role], "services", ()) or services)]
        for slug, team in teams.items() for service in services
    }
    today = timezone.localdate()
    now = timezone.now()
    made = 0
    while made < clients:
        size = min(BATCH, clients - made)
        batch_clients = []
        for i in range(size):
            team = teams[TEAMS[(made + i) % len(TEAMS)][1]]
            dob = fake.date_of_birth(minimum_age=18, maximum_age=70)
            batch_clients.append(Client(display_name=f"{fake.first_name()} {fake.last_name()}", date_of_birth=dob, team=team))
        Client.objects.bulk_create(batch_clients)
        cases, assignments, notes = [], [], []
        for client in batch_clients:
            opened = today - timedelta(days=rng.randint(0, 900))
            status = rng.choice([Case.Status.OPEN, Case.Status.OPEN, Case.Status.OPEN, Case.Status.REFERRAL, Case.Status.CLOSED])
            closed = opened + timedelta(days=rng.randint(30, 300)) if status == Case.Status.CLOSED else None
            if closed and closed > today:
                closed = today
            cases.append(Case(client=client, service=rng.choice(services), team_id=client.team_id,
                              status=status, opened_on=opened, closed_on=closed))
        Case.objects.bulk_create(cases)
        keys = key_store().data_keys([client.pk for client in batch_clients], create=True)
        Through = Case.workers.through
        for case in cases:
            team_slug = next(slug for slug, t in teams.items() if t.pk == case.team_id)
            worker = rng.choice(workers[(team_slug, case.service)])
            assignments.append(Through(case_id=case.pk, user_id=worker.pk))
            for _ in range(rng.randint(1, 5)):
                note = Note(case=case, author=worker, ref=uuid.UUID(int=rng.getrandbits(128), version=4),
                            created_at=now - timedelta(days=rng.randint(0, 800), minutes=rng.randint(0, 600)))
                note.body_sealed = KeyStore.encrypt_with(keys[case.client_id], case.client_id,
                                                         rng.choice(NOTE_LINES), note.body_context)
                notes.append(note)
        Through.objects.bulk_create(assignments)
        Note.objects.bulk_create(notes)
        made += size
    return made
