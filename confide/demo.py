"""The demo organisation: fictional clients, cases and notes, and a staff account in every role.

Names come from Faker (en_GB) with a fixed seed, so every demo is the same. Run twice, it reuses
what exists. It refuses to touch a database that holds a real (non-demo) organisation.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from faker import Faker

from confide.accounts.models import Organisation, Team
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.keys.runtime import key_store
from confide.partners.demo import do_seed_partners
from confide.policy import PolicyError, load_pack
from confide.policy.dates import add_years
from confide.records.break_glass import ReasonNeeded, do_open_outside
from confide.records.identity import seal_identity
from confide.records.models import Case, Client, ClientNameToken, Entry, RelatedPerson, SafeContact
from confide.retention import schedule
from confide.sharing.access import access_client_to_share
from confide.sharing.consent import Given, do_record_consent, do_store_wording
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_request_disclosure, why_not_approve
from confide.sharing.limits import statement_for
from confide.sharing.models import Disclosure, FormWording, LimitsTold, SupportConsent
from confide.sharing.tasks import BY_HAND, do_add_task, do_add_task_to_file
from confide.subject_access.access import access_sar_client
from confide.subject_access.models import SubjectAccessRequest
from confide.subject_access.services import Received, do_log_request

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- printed for the demo; demo data is fictional
DEMO_ORGANISATION = "Brightwater Support Service (demo)"
TEAMS = [("North team", "north"), ("South team", "south")]
BATCH = 2000
CASELOAD = 30  # cases per worker in a big demo
PAST_DUE = 3  # clients whose files closed six years ago: past their retention date (DVIP 9.15)
SAFE_TIMES = ["Weekdays 10:00 to 12:00", "Tuesdays and Thursdays after 14:00", "Any weekday before 15:00",
              "Only between 09:30 and 11:00"]
RISK_LINES = [
    "Risk assessment completed with the client using the checklist. Safety plan agreed and copied to the file.",
    "Reviewed the risk assessment with the client; no new incidents reported since the last review.",
]

# Bland, factual, fictional note text (DVIP 9.03: factual and not speculative).
NOTE_LINES = [
    "Phoned at the agreed safe time. Client confirmed the safe number is still current.",
    "Face-to-face session at the office. Reviewed the safety plan together; no changes agreed.",
    "Client came to the planned session on time and took part throughout.",
    "Letter sent to the address the client gave for post, as agreed.",
    "Client asked for information about the next court date. Gave the court's public number.",
    "Missed appointment. Tried the safe number once at the agreed time; no answer, no message left.",
    "Discussed housing options. Client will contact the housing office {self} this week.",
    "Risk assessment reviewed with the team manager in supervision; level unchanged.",
]
# What contact each note line records (a record of contact: kind and minutes), "" for none: the last
# line is about the case, not a contact with the client.
NOTE_CONTACTS = [("phone", (10, 20)), ("face_to_face", (45, 60)), ("face_to_face", (90, 120)), ("letter", None),
                 ("phone", (5, 15)), ("missed", None), ("face_to_face", (30, 45)), ("", None)]
SELF = {"female": "herself", "male": "himself"}
# How a note refers to someone: (subject, object, possessive) by their sex.
PRONOUNS = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}

# The people recorded around the clients (RelatedPerson): clearly fictional names, whose surnames are
# in no Faker en_GB name (so in no client's or staff member's name) and nowhere else in Confide's
# texts, and whose first names are no client's. A subject-access copy must withhold them, so a
# surname found anywhere in a client's copy is a leak (tests/subject_access/test_demo_drafts.py).
PEOPLE_FIRST_NAMES = {
    "female": ["Ottoline", "Perpetua", "Clemency", "Araminta", "Morwenna", "Isolde", "Cressida", "Ianthe",
               "Euphemia", "Griselda", "Petronella", "Honoria"],
    "male": ["Lysander", "Peregrine", "Barnaby", "Evander", "Cornelius", "Leopold", "Ignatius", "Crispin",
             "Thaddeus", "Alaric", "Septimus", "Jolyon"],
}
PEOPLE_SURNAMES = ["Quennell", "Ashgrove-Pye", "Tremayne", "Vosper", "Kettleby", "Ormsby", "Treloar", "Scarisbrick",
                   "Haverstock", "Trevethan", "Carnsew", "Tregenza", "Polglase", "Bosanquet", "Umfreville",
                   "Vavasour", "Fettiplace", "Blenkinsop", "Postlethwaite", "Mallinder", "Quarrington", "Lumbley",
                   "Entwhistle", "Orchardson"]
# Where some of them live (made-up streets and towns).
PEOPLE_ADDRESSES = ["Flat 2, 31 Tanyard Lane, Eastmere EM4 7QX", "7 Cobbold Street, Northvale NV2 5LT",
                    "19 Saddler's Row, Hollowmere HM3 8RW", "52 Pippin Avenue, Northvale NV6 1JD"]
KIN = {"female": "sister", "male": "brother"}
# Notes that name the person around the client ({name}, {phone}, {address}; {she}/{her}/{his} the
# client, {they} the other person), by relationship: (words, source, about the client, contact kind).
# Those in the client's own words are about the client and the other person; those from someone else
# (source third_party), or only about the other person, are withheld from the client's copy whole.
PEOPLE_NOTES = {
    "ex_partner": [
        ("{She} said {name} has been calling from {phone} since Friday; {she} wants help with a "
         "non-molestation order.", "client", True, "phone"),
        ("{She} said {name} is now living at {address}, two streets from the children's school; we talked "
         "about changing {his} route in the mornings.", "client", True, "face_to_face"),
        ("{She} said {name} was waiting outside {his} home on Tuesday evening; {she} wants help with a "
         "non-molestation order.", "client", True, "face_to_face"),
        ("A neighbour phoned the office to say {name} was at the client's door late on Saturday night and "
         "shouted through the letterbox.", "third_party", True, ""),
    ],
    "family_member": [
        ("{His} {kin} {name} phoned the office to say the family is worried about {her} and can offer a room "
         "if {she} needs to leave.", "third_party", True, ""),
        ("{She} said {his} {kin} {name} can be reached on {phone} and has agreed to be an emergency contact.",
         "client", True, "phone"),
    ],
    "child": [
        ("{name}'s school reported that {they} missed three days last week and seemed withdrawn; the "
         "school's safeguarding lead will call back.", "third_party", False, ""),
        ("{She} said {name} has had nightmares since the last contact visit; {she} asked about support "
         "for children.", "client", True, "face_to_face"),
    ],
}
# What a perpetrator programme's client says of the partner or ex-partner he was violent to.
PERPETRATOR_NOTES = [
    ("{She} said {name} rang {her} from {phone} about the children's contact arrangements; we went over "
     "what {his} bail conditions allow.", "client", True, "phone"),
    ("{She} said {name} has moved to {address}; reminded {her} that the programme's agreement means no "
     "contact except through the family court.", "client", True, "face_to_face"),
]
HEALTH_NOTE = ("Client told me {his} GP has prescribed sertraline for low mood and {she} has a review "
               "appointment next month.")
# Who a service is for, where the pack's own words make it one sex: DVIP's Women's Support Service
# supports women (victims, partners and ex-partners of the programme's clients), and its Violence
# Prevention Programme works with men who have been violent to a partner. Any other service has
# clients of either.
SERVICE_SEX = {("dvip", "wss"): "female", ("dvip", "vpp"): "male"}
CHILD_ROLES = ("child",)  # a demo client is an adult: a child only where a service has no other clients


class DemoError(Exception):
    pass


@dataclass
class DemoSummary:
    organisation: str
    pack: str
    created: bool
    clients: int
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def text(self, host: str, port: int, *, serving: bool = True) -> str:
        """What `confide demo` prints. Only when it goes on to serve does it say where to open it:
        with --no-serve nothing is listening, and `confide serve` starts it."""
        where = (f"Open http://{host}:{port}/ and sign in" if serving else
                 "It is not being served: start it with `confide serve` (or `make demo`), then sign in")
        lines = [
            f"{'Created' if self.created else 'Reusing'} the demo organisation '{self.organisation}' "
            f"on the '{self.pack}' policy pack, with {self.clients} fictional clients.",
            "",
            f"{where} with any of these (password for all: {DEMO_PASSWORD}):",
        ]
        width = max(len(username) for username, _, _ in self.logins)
        for username, role, team in self.logins:
            lines.append(f"  {username:<{width}}  {role}{' · ' + team if team else ''}")
        lines += ["", f"The demo runs the '{self.pack}' pack's rules for a made-up service. Demo mode waives the",
                  "second factor and says so on every page. Everyone here is fictional."]
        return "\n".join(lines)


def do_ensure_demo(pack: str = "dvip", clients: int = 40, seed: int = 2026) -> DemoSummary:
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
        # Ofcom's drama range and a made-up street: what a partner agency calls back on, on what is shared.
        organisation = Organisation.objects.create(id=1, name=DEMO_ORGANISATION, pack=pack, is_demo=True,
                                                   phone="01632 960123", email="office@brightwater.example",
                                                   address="4 Wrenfield Close, Marrowby, MB1 2ZZ")
        count = _populate(policy, clients, seed)
        _staff_side(policy, seed)
        _tell_limits(policy, seed)
        _long_closed(PAST_DUE)
        partners = _seed_partners(policy)
        record_event(None, Action.DEMO_CREATED, object_type="organisation", object_id=1,
                     detail={"pack": pack, "clients": count})
    # Outside the transaction above: the services each commit their own, with its audit event.
    _work_waiting(policy, partners)
    _request_waiting(policy)
    _governance_waiting(policy)
    # A year of activity, and last quarter's report released to the committee (issue 17).
    from confide.reports.demo import YEAR_CLIENTS, populate_year, release_last_quarter

    # In proportion to the demo's size, up to 1,100 past clients (beside the default 40 of today).
    populate_year(timezone.localdate(), random.Random(seed + 17),  # noqa: S311 -- a repeatable demo
                  clients=min(YEAR_CLIENTS, max(60, clients * 55 // 2)), service_sex=SERVICE_SEX)
    release_last_quarter(timezone.localdate())
    schedule.do_recompute()  # the retention schedule, filled: the long-closed files are due for review
    return DemoSummary(organisation.name, pack, True, count, _logins(policy))


# Fictional applicants for a post, and what a personnel file holds (issue 16).
APPLICANTS = [("Hephzibah Thornquist", "unsuccessful", 60), ("Ezekiel Marchbanks", "appointed", 45),
              ("Winifred Applegarth", "pending", None)]


def _staff_side(policy, seed: int) -> None:
    """Personnel files for everyone, each with a line manager (workers, volunteers and administrators:
    the team manager; managers: the data controller); the declarations everyone has signed and their
    induction and training; unlinked monitoring forms; three applicants for a post, one unsuccessful
    two months ago (DVIP 8.08: falls due at once, so retention has an application to minimise); and
    one worker who joined this week and has signed nothing, so cannot open a client's file yet."""
    from confide.staffing.demo import NEW_WORKER, sign_everyone
    from confide.staffing.models import Applicant, MonitoringForm, PersonnelFile
    from confide.staffing.monitoring import QUESTIONS, applicant_fields

    # Each question's answers as the form records them (its own lists).
    answers = {question: [value for value, _ in choices] for question, (_, choices) in QUESTIONS.items()}

    rng = random.Random(seed + 16)  # noqa: S311 -- a repeatable demo, not security
    today = timezone.localdate()
    User = get_user_model()
    manager = _account(policy, {"manager"})
    controller = _account(policy, {"data_controller"})
    people = list(User.objects.order_by("pk"))
    for person in people:
        kind = policy.roles[person.role].kind
        line_manager = controller if kind == "manager" else None if kind in {"data_controller", "trustee"} else manager
        file = PersonnelFile.objects.create(person=person, line_manager=line_manager,
                                            started_on=today - timedelta(days=rng.randint(200, 2500)))
        file.notes = f"Probation review passed. Appraisal due in {rng.choice(['March', 'June', 'September'])}."
        file.contact = {"home_address": f"{rng.randint(2, 90)} Fictional Row, Marrowby, MB{rng.randint(1, 9)} 4ZZ",
                        "phone": f"07700 900{rng.randint(100, 999)}"}
        file.references = [{"referee": "A former employer", "text": "Reliable and discreet.", "in_confidence": True}]
        if person.pk % 3 == 0:
            file.medical = "Fit note on file for a short absence; nothing affecting work."
        file.save()
    sign_everyone(people, today)
    for _ in range(24):
        cohort = rng.choice([MonitoringForm.Cohort.STAFF, MonitoringForm.Cohort.VOLUNTEER])
        MonitoringForm.objects.create(cohort=cohort, year=today.year - rng.randint(0, 2),
                                      **{field: rng.choice(values) for field, values in answers.items()})
    kept_of_applicants = applicant_fields(policy)
    for name, outcome, days_ago in APPLICANTS:
        applicant = Applicant.objects.create(
            post="Women's support worker" if "wss" in policy.services else "Support worker",
            received_on=today - timedelta(days=(days_ago or 10) + 21), outcome=outcome,
            decided_on=today - timedelta(days=days_ago) if days_ago else None, recorded_by=manager or controller)
        applicant.details = {"name": name, "email": f"{name.split()[0].lower()}@example.org"}
        applicant.application = f"{name} applied with experience of advice work and a full driving licence."
        applicant.save()
        # The monitoring answers, detached on receipt: only what the pack keeps about applicants.
        MonitoringForm.objects.create(cohort=MonitoringForm.Cohort.APPLICANT, year=applicant.received_on.year,
                                      **{field: rng.choice(answers[field]) for field in kept_of_applicants})
    # The new worker: a case in their team to try, and nothing signed.
    role = next(name for name, r in policy.roles.items() if r.kind == "worker")
    north = Team.objects.get(slug="north")
    username, first, last = NEW_WORKER
    newcomer = User.objects.create(username=username, role=role, team=north, first_name=first, last_name=last,
                                   password=make_password(DEMO_PASSWORD), email=f"{username}@example.org")
    PersonnelFile.objects.create(person=newcomer, line_manager=manager, started_on=today - timedelta(days=2))
    services = getattr(policy.roles[role], "services", ()) or list(policy.services)
    case = Case.objects.filter(team=north, status=Case.Status.OPEN, service__in=services).order_by("pk").first()
    if case is not None:
        case.workers.add(newcomer)


def _governance_waiting(policy) -> None:
    """A breach recorded yesterday afternoon by the data controller, its ICO deadline running, and a
    complaint about data protection received ten days ago, not yet acknowledged (issue 16)."""
    from confide.breaches.services import NewBreach, do_record_breach
    from confide.complaints.access import handles_complaints
    from confide.complaints.services import NewComplaint, do_log_complaint

    controller = _account(policy, {"data_controller"})
    now = timezone.now()
    do_record_breach(controller, policy, NewBreach(
        aware_at=now - timedelta(hours=20), aware_zone="Europe/London",
        what_happened="A letter to a client was sent to a neighbour's address in Larkspur Row (fictional).",
        data_categories=["contact_details", "case_notes"], people_affected=1, risk="high"))
    handler = next((u for u in get_user_model().objects.filter(is_active=True).order_by("pk")
                    if handles_complaints(u, policy)), None)
    if handler is not None:
        do_log_complaint(handler, NewComplaint(
            received_on=timezone.localdate() - timedelta(days=10), how_received="email",
            from_whom="A former client (fictional)", about="Asked why a letter went to the wrong address."),
            pack=policy)


def _long_closed(how_many: int) -> None:
    """A few clients whose every case closed six years ago, so that the retention schedule has files
    past their date (DVIP 9.15: five years after leaving): their cases and entries moved back in
    time together, so nothing is dated after its case closed. Clients with no open case first."""
    today = timezone.localdate()
    closed_on = add_years(today, -6)
    open_ids = set(Case.objects.exclude(status=Case.Status.CLOSED).values_list("client_id", flat=True))
    chosen = sorted(Client.objects.values_list("pk", flat=True), key=lambda pk: (pk in open_ids, pk))[:how_many]
    for case in Case.objects.filter(client_id__in=chosen).order_by("id"):
        delta = closed_on - (case.closed_on or today)
        opened_on = case.opened_on or min(today, case.referred_on + timedelta(days=7))
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, referred_on=case.referred_on + delta,
                                               opened_on=opened_on + delta, closed_on=closed_on, next_contact_on=None)
        entries = list(Entry.objects.filter(case=case).only("created_at", "contact_on"))
        for entry in entries:
            entry.created_at += delta
            entry.contact_on = entry.contact_on + delta if entry.contact_on else None
        Entry.objects.bulk_update(entries, ["created_at", "contact_on"])


def _seed_partners(policy) -> dict:
    """The partner directory (fictional agencies and their staff, with information-sharing
    agreements), entered by the data controller as a real service would."""
    controller = next(name for name, role in policy.roles.items() if role.kind == "data_controller")
    return do_seed_partners(get_user_model().objects.get(username=controller.replace("_", "-")))


def _account(policy, kinds, team: str | None = "north"):
    """The demo's own account (of _usernames) for the first role of these kinds, in this team."""
    User = get_user_model()
    for username, role, slug in _usernames(policy):
        if policy.roles[role].kind in kinds and slug == team:
            return User.objects.get(username=username)
    return None


def _open_case_of(user, *, exclude=()):
    """One of this person's open cases with a note on it they wrote (oldest client first), or None."""
    return (Case.objects.filter(workers=user, status=Case.Status.OPEN, entries__kind=Entry.Kind.NOTE,
                                entries__sealed=False).exclude(client_id__in=list(exclude))
            .select_related("client", "team").order_by("client_id").first())


def _work_waiting(policy, partners) -> None:
    """Work waiting for every demo login, made through the services a person would use, so the audit
    log holds it as it would: a volunteer on two of their team's cases; requests to share without
    consent, one approved and ready to send, others waiting for a manager; a file opened outside
    someone's own work, waiting for review; tasks due this week, one overdue; a consent ending soon.
    Each step needs the pack to allow it (a pack's rules differ); where it does not, it is left out."""
    today = timezone.localdate()
    workers = [get_user_model().objects.get(username=username) for username, role, slug in _usernames(policy)
               if policy.roles[role].kind == "worker" and slug == "north"]
    manager = _account(policy, {"manager"})
    used: set[int] = set()

    # A volunteer supports a client or two their team already works with (no assigning service yet:
    # made as the rest of the demo's history is).
    for slug in ("north", "south"):
        volunteer = _account(policy, {"volunteer"}, slug)
        if volunteer is None:
            continue
        cases = list(Case.objects.filter(team__slug=slug, status=Case.Status.OPEN).order_by("-client_id")[:2])
        Case.workers.through.objects.bulk_create(
            [Case.workers.through(case_id=case.pk, user_id=volunteer.pk) for case in cases])
        for case in cases[:1]:
            do_add_task_to_file(volunteer, case, what="book_session", due_on=today + timedelta(days=3),
                                assigned_to_id=volunteer.pk)

    # Requests to share without consent: a child protection referral to children's services, which
    # the pack lets go only with a manager's approval.
    asked: list[Disclosure] = []
    for worker in workers[:2]:
        case = _open_case_of(worker, exclude=used)
        if case is None:
            continue
        used.add(case.client_id)
        grant = access_client_to_share(worker, case.client_id, "direct_support")
        # One of the worker's own notes (not one naming someone else, nor health information).
        note = next(e for e in grant.entries() if e.kind == Entry.Kind.NOTE and e.categories == ["case_notes"]
                    and grant.may_open(e))
        asked.append(do_request_disclosure(worker, policy, grant, case, Asked(
            recipient=Recipient(kind="childrens_services", agency=partners["childrens_services"],
                                contact=partners["social_worker"]),
            entries=[note], purpose="child_protection", channel="secure_link",
            grounds=["child_at_risk_of_significant_harm"],
            reason="The client's youngest child told the school about being hit at home; the school has "
                   "raised concerns with us.")))
    waiting = [d for d in asked if d.status == Disclosure.Status.AWAITING_APPROVAL]
    if waiting and manager is not None and why_not_approve(manager, waiting[0]) is None:
        do_decide(manager, waiting[0].pk, "approve", "The threshold for a child protection referral is met.",
                  DEMO_PASSWORD)

    # Tasks due this week, on the workers' own cases; one set earlier and now overdue.
    for n, worker in enumerate(workers[:2]):
        case = _open_case_of(worker, exclude=used) or _open_case_of(worker)
        if case is None:
            continue
        do_add_task_to_file(worker, case, what="phone_client", due_on=today + timedelta(days=1 + n),
                            assigned_to_id=worker.pk)
        do_add_task_to_file(worker, case, what="book_session", due_on=today + timedelta(days=4), assigned_to_id=worker.pk)
    if workers:
        case = _open_case_of(workers[0])
        if case is not None:
            # Set a fortnight ago for last Friday, and not yet done: the manager's list shows it overdue.
            do_add_task(manager or workers[0], kind="review_case", title_text=BY_HAND.get("review_case", "Review the case"),
                        clause="", client_id=case.client_id, case_id=case.pk, assigned_to_id=workers[0].pk,
                        due_on=today - timedelta(days=3))

    # A file opened outside one's own work (break-glass), waiting for the manager's review.
    if workers:
        stranger = (Case.objects.filter(team__slug="south", status=Case.Status.OPEN).exclude(workers=workers[-1])
                    .order_by("client_id").first())
        if stranger is not None:
            try:
                do_open_outside(workers[-1], stranger.client_id, "direct_support",
                                "Duty line call: the client's own worker is on leave today and the client asked for help.")
            except (Http404, ReasonNeeded):  # a pack that never lets this person open it: nothing to review
                pass

    # A consent ending soon, recorded by the worker with the client.
    if workers:
        case = _open_case_of(workers[0])
        if case is not None:
            try:
                do_record_consent(workers[0], policy, DEMO_ORGANISATION, case.client, case.service, Given(
                    recipients=["gp"], agencies=[partners["gp"]], data=["case_notes"], purposes=["liaison"],
                    how="written", has_capacity=True, informed=True, free_from_duress=True,
                    given_on=today - timedelta(days=170), expires_on=today + timedelta(days=10)))
            except ConfideError:
                pass  # a pack whose consent form asks for what this does not give


def _request_waiting(policy) -> None:
    """A subject-access request waiting for the data controller: received in writing from the client
    ten days ago, their identity confirmed (called back on their safe number) the next day, not yet
    compiled. Logged by the data controller through the services, on the file of the first client
    with an open case whose notes name someone around them, so compiling it has something to withhold."""
    controller = _account(policy, {"data_controller"})
    client_id = (Case.objects.filter(status=Case.Status.OPEN, entries__about_people__isnull=False)
                 .order_by("client_id").values_list("client_id", flat=True).first())
    if controller is None or client_id is None:
        return
    received = timezone.localdate() - timedelta(days=10)
    try:
        grant = access_sar_client(controller, client_id)
    except Http404:  # a pack that never lets the data controller open a file to answer a request
        return
    do_log_request(controller, grant, Received(
        received_on=received, made=SubjectAccessRequest.Made.WRITING, made_by=SubjectAccessRequest.By.CLIENT,
        identity_check=SubjectAccessRequest.IdentityCheck.SAFE_CONTACT, identity_confirmed_on=received + timedelta(days=1)))


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
    from confide.staffing.demo import NEW_WORKER

    first_worker = next(name for name, r in policy.roles.items() if r.kind == "worker")
    return [(username, policy.roles[role].label, teams.get(team, "") if team else "")
            for username, role, team in _usernames(policy)] + [
        (NEW_WORKER[0], policy.roles[first_worker].label + " (new: has signed nothing yet)", teams["north"])]


def _populate(policy, clients: int, seed: int) -> int:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 -- a repeatable demo, not security
    # The people around the clients and the notes naming them: a stream of their own, so that the
    # rest of the demo (clients, cases, who works on them) is as it was without them.
    around = random.Random(seed + 2)  # noqa: S311 -- a repeatable demo, not security
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
    # A real worker holds a few dozen cases. For a big demo (the web benchmark uses 100,000
    # clients), more workers are made in each team and service, so caseloads stay realistic.
    per_pool = clients / max(1, len(teams) * len(services))
    for (slug, service), pool in workers.items():
        if not pool:
            continue
        extra = max(0, int(per_pool // CASELOAD) - len(pool))
        made_staff = [User(username=f"{pool[0].role.replace('_', '-')}-{slug}-{service.replace('_', '-')}-{n:04d}",
                           role=pool[0].role, team=teams[slug], first_name=fake.first_name(), last_name=fake.last_name(),
                           password=password) for n in range(1, extra + 1)]
        User.objects.bulk_create(made_staff)
        pool += made_staff
    made = 0
    while made < clients:
        size = min(BATCH, clients - made)
        batch_clients, batch_services, sexes = [], [], {}
        for i in range(size):
            team = teams[TEAMS[(made + i) % len(TEAMS)][1]]
            # The service first: the client is someone that service is for, in its roles and sex.
            service = rng.choice(services)
            roles = [r for r in policy.services[service].subject_roles if r not in CHILD_ROLES] or \
                list(policy.services[service].subject_roles) or ["service_user"]
            sex = SERVICE_SEX.get((policy.name, service)) or rng.choice(["female", "male"])
            first = fake.first_name_female() if sex == "female" else fake.first_name_male()
            child = roles[0] in CHILD_ROLES
            dob = fake.date_of_birth(minimum_age=5 if child else 18, maximum_age=15 if child else 70)
            batch_clients.append(Client(display_name=f"{first} {fake.last_name()}", date_of_birth=dob,
                                        team=team, subject_role=rng.choice(roles)))
            batch_services.append(service)
            sexes[i] = sex
        Client.objects.bulk_create(batch_clients)
        keys = key_store().data_keys([client.pk for client in batch_clients], create=True)
        _seal_identities(batch_clients, keys)
        cases = []
        for client, service in zip(batch_clients, batch_services, strict=True):
            referred = today - timedelta(days=rng.randint(0, 900))
            status = rng.choice([Case.Status.OPEN, Case.Status.OPEN, Case.Status.OPEN, Case.Status.REFERRAL,
                                 Case.Status.ASSESSMENT, Case.Status.CLOSED])
            opened = None if status in (Case.Status.REFERRAL, Case.Status.ASSESSMENT) else \
                min(today, referred + timedelta(days=rng.randint(1, 30)))
            closed = min(today, opened + timedelta(days=rng.randint(30, 300))) if status == Case.Status.CLOSED else None
            flags = ["family_court_risk_assessment"] if rng.random() < 0.05 else []
            # The next planned contact, on a case still being worked: within the next fortnight.
            next_contact = None if status == Case.Status.CLOSED else today + timedelta(days=rng.randint(1, 14))
            cases.append(Case(client=client, service=service, team_id=client.team_id, status=status,
                              referred_on=referred, opened_on=opened, closed_on=closed, flags=flags,
                              next_contact_on=next_contact))
        Case.objects.bulk_create(cases)
        _fill_cases(cases, keys, teams, workers, rng, around, now, [sexes[i] for i in range(size)])
        made += size
    return made


def _seal_identities(clients, keys) -> None:
    """Each new client's name and date of birth sealed under their key and their name indexed, as
    Client.save() does one at a time: bulk_create() wrote their rows without either."""
    tokens = []
    for client in clients:
        tokens += [ClientNameToken(client_id=client.pk, token=found) for found in seal_identity(
            client, {"name": client.display_name, "date_of_birth": client.date_of_birth}, keys[client.pk])]
        client.__dict__.pop("_identity_to_seal", None)
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE records_client SET name_sealed = %s, dob_sealed = %s WHERE id = %s",
                           [(client.name_sealed, client.dob_sealed, client.pk) for client in clients])
    ClientNameToken.objects.bulk_create(tokens, batch_size=5000)


def _tell_limits(policy, seed: int) -> None:
    """About two clients in three have been told the limits of their confidentiality (in the
    statement naming the demo organisation, given, explained or signed as the pack allows); the rest
    still show the prompt to tell them. Where the pack asks for consent to support at intake
    (JustUs 5.5), most clients have given it."""
    rng = random.Random(seed + 1)  # noqa: S311 -- a repeatable demo; its own stream leaves the rest as it was
    now = timezone.now()
    wordings: dict[str, FormWording] = {}
    told, support = [], []
    to_support = policy.spec.consent.get("to_support")
    cases = Case.objects.select_related("client").prefetch_related("workers").order_by("id")
    for case in cases.iterator(chunk_size=BATCH):
        worker = next(iter(case.workers.all()), None)
        if worker is None:
            continue
        statement = statement_for(policy, case.client.subject_role, case.service, DEMO_ORGANISATION)
        if statement is not None and rng.random() < 0.65:
            if statement.form.document not in wordings:
                wordings[statement.form.document] = do_store_wording(policy, statement.form)
            how = rng.choice(statement.ways)
            told.append(LimitsTold(client_id=case.client_id, wording=wordings[statement.form.document], how=how,
                                   copy_given=statement.copy_required or (statement.copy_to_signer and how == "signed"),
                                   told_on=case.referred_on, recorded_by=worker, recorded_at=now,
                                   ref=uuid.UUID(int=rng.getrandbits(128), version=4)))
        if to_support and rng.random() < 0.8:
            support.append(SupportConsent(client_id=case.client_id, case=case, how=rng.choice(["verbal", "verbal", "written"]),
                                          given_on=case.referred_on, clause=to_support["clause"], recorded_by=worker,
                                          recorded_at=now))
    if policy.spec.consent.get("to_referral"):  # Home-Start 7.1: every referral was taken with the family's consent
        Case.objects.update(referral_consent=True)
    LimitsTold.objects.bulk_create(told, batch_size=BATCH)
    SupportConsent.objects.bulk_create(support, batch_size=BATCH)
    FormWording.objects.filter(pk__in=[w.pk for w in wordings.values()], frozen_at__isnull=True).update(frozen_at=now)


def _fill_cases(cases, keys, teams, workers, rng, around, now, sexes) -> None:
    """A worker on each case, about ten entries, someone around the client, and safe contact details:
    every text sealed under the client's key, as Confide always stores it. Each entry is dated while
    the case was worked (from referral to closing, or today: nothing after a case closed), and each
    note of a contact records it (its date, kind and length). In about a third of the files, notes
    name the person around the client (_notes_naming); in some, a note of health information."""
    Through = Case.workers.through
    slugs = {team.pk: slug for slug, team in teams.items()}
    assignments, entries, people, contacts = [], [], [], []
    naming: list[tuple[Entry, RelatedPerson]] = []
    recorded = 0  # people recorded so far: every other one is named in notes (about a third of files)
    uid = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # noqa: E731 -- repeatable refs
    around_uid = lambda: uuid.UUID(int=around.getrandbits(128), version=4)  # noqa: E731 -- from their own stream
    today = timezone.localtime(now).date()
    for case, sex in zip(cases, sexes, strict=True):
        key, client_id = keys[case.client_id], case.client_id
        worker = rng.choice(workers[(slugs[case.team_id], case.service)])
        assignments.append(Through(case_id=case.pk, user_id=worker.pk))
        start, end = case.referred_on, case.closed_on or today
        notes_at = []
        for _ in range(rng.randint(4, 16)):
            risk = rng.random() < 0.08
            on = start + timedelta(days=rng.randint(0, (end - start).days))
            # Office hours, and never later than now on today's date.
            at = timezone.make_aware(datetime.combine(on, time(9)) + timedelta(minutes=rng.randint(0, 480)))
            at = min(at, now)
            line = rng.randrange(len(NOTE_LINES))
            kind, minutes = ("", None) if risk else NOTE_CONTACTS[line]
            entry = Entry(case=case, author=worker, ref=uid(), source=rng.choice(["client", "client", "worker"]),
                          kind=Entry.Kind.RISK_ASSESSMENT if risk else Entry.Kind.NOTE,
                          categories=["risk_assessment"] if risk else ["case_notes"],
                          risk_level=rng.choice(["standard", "medium", "high"]) if risk else "",
                          created_at=at, contact_on=on if kind else None, contact_kind=kind,
                          duration_minutes=rng.randint(*minutes) if minutes else None)
            text = rng.choice(RISK_LINES) if risk else NOTE_LINES[line].format(self=SELF[sex])
            Entry.body.seal_with(entry, key, text)
            entries.append(entry)
            if not risk:
                notes_at.append(at)
        pronouns = _pronouns(sex)
        # Written before the newest of the worker's own notes: the note a person (or the demo's own
        # work, _work_waiting) takes first from a file is one of those.
        before = max(notes_at, default=None)
        if rng.random() < 0.7:
            person = RelatedPerson(client_id=client_id, relationship=rng.choice(["ex_partner", "child", "family_member"]),
                                   ref=uid(), added_by=worker, created_at=now)
            details, words = _someone_around(around)
            RelatedPerson.details.seal_with(person, key, details)
            people.append(person)
            recorded += 1
            if before is not None and recorded % 2:
                for text, source, about_client, kind in _notes_naming(around, person.relationship, case.client.subject_role,
                                                                      words, pronouns):
                    entry = _note_before(case, worker, around_uid(), around, start, before, text=text, key=key, kind=kind,
                                         categories=["case_notes", "third_party"], source=source,
                                         about_client=about_client)
                    entries.append(entry)
                    naming.append((entry, person))
        if before is not None and around.random() < 0.12:
            entries.append(_note_before(case, worker, around_uid(), around, start, before, text=HEALTH_NOTE.format(**pronouns),
                                        key=key, kind="face_to_face", categories=["case_notes", "health"],
                                        source="client", about_client=True))
        if rng.random() < 0.85:
            contact = SafeContact(client_id=client_id, ref=uid(), updated_by=worker, updated_at=now,
                                  confirmed_on=(now - timedelta(days=rng.randint(0, 60))).date())
            SafeContact.details.seal_with(contact, key, {
                "number": f"07700 900{rng.randint(0, 999):03d}", "when": rng.choice(SAFE_TIMES),
                "say": "Say you are calling from the surgery about an appointment.", "avoid": "Never leave a message."})
            contacts.append(contact)
    Through.objects.bulk_create(assignments)
    Entry.objects.bulk_create(entries, batch_size=5000)
    RelatedPerson.objects.bulk_create(people)
    Entry.about_people.through.objects.bulk_create(
        [Entry.about_people.through(entry_id=entry.pk, relatedperson_id=person.pk) for entry, person in naming],
        batch_size=5000)
    SafeContact.objects.bulk_create(contacts)


def _pronouns(sex: str) -> dict[str, str]:
    she, her, his = PRONOUNS[sex]
    return {"she": she, "her": her, "his": his, "She": she.capitalize(), "His": his.capitalize()}


def _someone_around(around) -> tuple[dict, dict]:
    """A person around a client, from the fixed fictional names: their sealed details (some with a
    phone number in Ofcom's drama range, some with an address) and the words a note may use of them."""
    sex = around.choice(["female", "male"])
    name = f"{around.choice(PEOPLE_FIRST_NAMES[sex])} {around.choice(PEOPLE_SURNAMES)}"
    phone = f"07700 900{around.randint(0, 999):03d}" if around.random() < 0.6 else ""
    address = around.choice(PEOPLE_ADDRESSES) if around.random() < 0.3 else ""
    details = {"name": name, "agency": "", "contact": ", ".join(x for x in (phone, address) if x), "notes": ""}
    return details, {"name": name, "phone": phone, "address": address, "kin": KIN[sex],
                     "they": PRONOUNS[sex][0]}


def _notes_naming(around, relationship: str, subject_role: str, words: dict, pronouns: dict) -> list[tuple[str, str, bool, str]]:
    """One or two notes naming the person around the client, as the client or someone else told it:
    (text, source, about the client, contact kind). Only those whose details the person has."""
    templates = PERPETRATOR_NOTES if subject_role == "perpetrator" and relationship == "ex_partner" \
        else PEOPLE_NOTES[relationship]
    usable = [t for t in templates if ("{phone}" not in t[0] or words["phone"])
              and ("{address}" not in t[0] or words["address"])]
    if not usable:
        return []
    # Most people with a number on file are named with it: the detail a copy most often gives away.
    calling = [t for t in usable if "{phone}" in t[0]]
    chosen = [around.choice(calling)] if calling and around.random() < 0.7 else []
    rest = [t for t in usable if t not in chosen]
    chosen += around.sample(rest, k=min(len(rest), around.choice([1, 1, 2]) - len(chosen)))
    return [(text.format(**words, **pronouns), source, about_client, kind)
            for text, source, about_client, kind in chosen]


def _note_before(case, worker, ref, around, start, before, *, text: str, key: bytes, kind: str,
                 categories: list[str], source: str, about_client: bool) -> Entry:
    """A note on the case written between its referral and `before` (a moment on or after the day of
    referral), sealed under the client's key; a note of a contact records it."""
    earliest = timezone.make_aware(datetime.combine(start, time(9)))
    at = before - timedelta(minutes=around.randint(1, max(1, int((before - earliest).total_seconds() // 60))))
    at = max(at, timezone.make_aware(datetime.combine(start, time(0))))
    on = timezone.localtime(at).date()
    entry = Entry(case=case, author=worker, ref=ref, source=source, kind=Entry.Kind.NOTE, categories=categories,
                  about_client=about_client, created_at=at, contact_on=on if kind else None, contact_kind=kind,
                  duration_minutes=around.randint(10, 45) if kind else None)
    Entry.body.seal_with(entry, key, text)
    return entry

