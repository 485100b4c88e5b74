"""A year of activity for the demo (issue 17, point 8), so that the trustee's report has real figures,
some of them hidden: fictional clients referred over the last thirteen months to every service, with
referral sources, risk levels and outcomes in uneven proportions (a small service, a rare source), and
the last completed quarter's report drafted and released, ready for the committee.

Run it after the demo's organisation, teams, staff and clients exist (confide.demo._populate), with
the organisation's pack loaded; it makes its own clients and cases and commits its own audit events.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from confide.accounts.models import Team, current_policy
from confide.keys.runtime import key_store
from confide.policy.vocab import MANAGER_KINDS
from confide.records.identity import seal_identity
from confide.records.models import Case, Client, ClientNameToken, Entry
from confide.reports import figures, services

YEAR_CLIENTS = 1100
DAYS = 400
# Uneven on purpose: a rare source or outcome gives the small, hidden counts a real report has.
SOURCES = [("police", 30), ("self", 22), ("health", 14), ("childrens_services", 12), ("partner_agency", 9),
           ("court", 3), ("other", 2), ("", 2)]
RISKS = [("standard", 40), ("medium", 35), ("high", 20), ("", 3)]
RISK_NOTE = {"standard": "Risk assessment completed with the client: standard risk.",
             "medium": "Risk assessment completed with the client: medium risk; safety plan agreed.",
             "high": "Risk assessment completed with the client: high risk; referred to MARAC."}
OUTCOMES = [("completed", 45), ("referred_on", 20), ("disengaged", 18), ("moved_away", 4), ("other", 3), ("", 2)]


def _pick(rng, weighted):
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def populate_year(today: dt.date, rng, *, clients: int = YEAR_CLIENTS, service_sex: dict | None = None) -> int:
    """Make `clients` fictional clients, each with one case referred in the last DAYS days, and
    return how many. `rng` is a random.Random (the demo's own, for a repeatable demo); `service_sex`
    maps (pack, service) to the sex of its clients where it has one (the demo's SERVICE_SEX)."""
    service_sex = service_sex or {}
    policy = current_policy()
    services_ = list(policy.services)
    # The first service gets most referrals, the last very few: its row of the report is mostly hidden.
    weights = [6, 3, 1][: len(services_)] + [2] * max(0, len(services_) - 3)
    teams = list(Team.objects.order_by("id"))
    fake = Faker("en_GB")
    fake.seed_instance(rng.randint(0, 2**31))
    made, chosen = [], []
    for _ in range(clients):
        born = today - dt.timedelta(days=rng.randint(16 * 365, 70 * 365))
        service = rng.choices(services_, weights=weights)[0]
        # A women's service's clients are women, a perpetrator programme's men (confide.demo.SERVICE_SEX).
        sex = service_sex.get((policy.name, service)) or rng.choice(["female", "male"])
        first = fake.first_name_female() if sex == "female" else fake.first_name_male()
        # Someone the service works with (Stephen's Place: a parent), never a role it does not serve.
        roles = [r for r in policy.services[service].subject_roles if r != "child"] or ["service_user"]
        chosen.append(service)
        made.append(Client(display_name=f"{first} {fake.last_name()}", date_of_birth=born,
                           team=rng.choice(teams), subject_role=roles[0]))
    with transaction.atomic():
        Client.objects.bulk_create(made)
        keys = key_store().data_keys([c.pk for c in made], create=True)
        tokens = []
        for client in made:
            clear = {"name": client.display_name, "date_of_birth": client.date_of_birth}
            tokens += [ClientNameToken(client_id=client.pk, token=t) for t in seal_identity(client, clear, keys[client.pk])]
            client.__dict__.pop("_identity_to_seal", None)
        with connection.cursor() as cursor:
            cursor.executemany("UPDATE records_client SET name_sealed = %s, dob_sealed = %s WHERE id = %s",
                               [(c.name_sealed, c.dob_sealed, c.pk) for c in made])
        ClientNameToken.objects.bulk_create(tokens, batch_size=5000)
        cases = []
        # The year is history: every one of these cases has closed by today, so the demo's caseloads (its
        # own clients) are as they were, and the figures have referrals and closings in every quarter.
        for client, service in zip(made, chosen, strict=True):
            since = rng.randint(21, DAYS)
            referred = today - dt.timedelta(days=since)
            opened = referred + dt.timedelta(days=rng.randint(1, 14))
            closed = referred + dt.timedelta(days=rng.randint(min(30, since), min(240, since)))
            cases.append(Case(
                client=client, team_id=client.team_id, service=service, status=Case.Status.CLOSED,
                referred_on=referred, opened_on=opened, closed_on=max(closed, opened), referral_source=_pick(rng, SOURCES),
                outcome=_pick(rng, OUTCOMES), referral_consent=True))
        Case.objects.bulk_create(cases)
        # The risk level a report counts is the newest risk assessment's (records.Entry.risk_level).
        User = get_user_model()
        authors = {t.pk: [u for u in User.objects.filter(team=t, is_active=True).order_by("id")
                          if u.role_kind == "worker"] for t in teams}
        fallback = [u for u in User.objects.filter(is_active=True).order_by("id") if u.role_kind in MANAGER_KINDS]
        entries = []
        for case in cases:
            level = _pick(rng, RISKS)
            writers = authors.get(case.team_id) or fallback
            if not level or not writers:
                continue
            at = timezone.make_aware(dt.datetime.combine(case.opened_on, dt.time(10)))
            entry = Entry(case=case, author=rng.choice(writers), kind=Entry.Kind.RISK_ASSESSMENT,
                          categories=["risk_assessment"], risk_level=level, created_at=at)
            Entry.body.seal_with(entry, keys[case.client_id], RISK_NOTE[level])
            entries.append(entry)
        Entry.objects.bulk_create(entries)
    return len(made)


def release_last_quarter(today: dt.date):
    """The last completed quarter's report, drafted by a manager and released by the data controller
    (recorded as run from the command line, as the demo has no one to type a password)."""
    User = get_user_model()
    staff = [u for u in User.objects.filter(is_active=True).order_by("id") if u.role_kind in MANAGER_KINDS]
    if not staff:
        return None
    start, end = figures.parse_quarter(figures.last_completed_quarter(today))
    report = services.do_draft_report(staff[0], "quarter", start, end)
    releaser = next((u for u in staff if u.role_kind == "data_controller"), staff[-1])
    return services.do_release_report(releaser, report.pk, command_line=True)
