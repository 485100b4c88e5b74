"""One base test case whose people encode need-to-know.

People: the worker assigned to the client's case, a worker in the same team, a worker in another
team, a volunteer, a manager, the data controller, a trustee and an administrator. Roles are taken
from the organisation's pack by their kind, so the same tests hold for every pack.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.test import TestCase

from confide.accounts.middleware import LAST_SEEN
from confide.accounts.models import Organisation, Team
from confide.policy import load_pack
from confide.records.entries import EntryFacts, do_add_document, do_add_note
from confide.records.models import Case, Client
from confide.records.people import do_add_related_person
from confide.records.safe_contact import do_set_safe_contact

CLIENT_NAME = "Zelda Quillfeather"        # fictional; tests search pages and logs for it
OTHER_CLIENT_NAME = "Ambrose Thistlewick"  # fictional; belongs to the other team
NOTE_TEXT = "Zelda said the blue door is safe to use after six."
PERSON_NAME = "Quentin Marblewood"         # fictional; the client's ex-partner, on her file
SAFE_NUMBER = "07700 900461"               # Ofcom's drama range: never a real number
DOCUMENT_TEXT = b"Tenancy letter for the flat on Larkspur Row."
DOCUMENT_NAME = "tenancy-letter.txt"
SEALED_TEXT = "GP letter: medication reviewed on the ninth."


def role_of_kind(pack, kind: str) -> str:
    for name, role in pack.roles.items():
        if role.kind == kind:
            return name
    raise LookupError(f"pack {pack.name} has no role of kind {kind}")


def make_people(pack_name: str = "dvip") -> dict:
    pack = load_pack(pack_name)
    Organisation.objects.create(id=1, name="Test Support Service", pack=pack_name)
    north = Team.objects.create(name="North team", slug="north")
    south = Team.objects.create(name="South team", slug="south")
    User = get_user_model()

    def person(username, kind, team, first, last):
        user = User.objects.create_user(username=username, password=f"{username}-password-1",
                                        role=role_of_kind(pack, kind), team=team, first_name=first, last_name=last)
        return user

    people: dict = {
        "assigned": person("assigned", "worker", north, "Ada", "Assigned"),
        "same_team": person("sameteam", "worker", north, "Sam", "Teamson"),
        "other_team": person("otherteam", "worker", south, "Olly", "Otherteam"),
        "manager": person("manager", "manager", north, "Mona", "Manager"),
        "data_controller": person("controller", "data_controller", north, "Dara", "Controller"),
        "trustee": person("trustee", "trustee", None, "Tess", "Trustee"),
    }
    if any(role.kind == "volunteer" for role in pack.roles.values()):
        people["volunteer"] = person("volunteer", "volunteer", north, "Val", "Volunteer")
    if any(role.kind == "administrator" for role in pack.roles.values()):
        people["administrator"] = person("admin", "administrator", north, "Alex", "Admin")
    service = next(iter(pack.services))
    client = Client.objects.create(display_name=CLIENT_NAME, team=north)
    case = Case.objects.create(client=client, service=service, team=north, status=Case.Status.OPEN)
    case.workers.add(people["assigned"])
    note = do_add_note(people["assigned"], case, NOTE_TEXT)
    ex = do_add_related_person(people["assigned"], client, "ex_partner", {"name": PERSON_NAME})
    do_set_safe_contact(people["assigned"], client, {"number": SAFE_NUMBER, "when": "Weekdays before noon"})
    document = do_add_document(people["assigned"], case, DOCUMENT_NAME, "text/plain", DOCUMENT_TEXT,
                               "Tenancy letter", EntryFacts(about_people=[ex]))
    sealed = do_add_note(people["assigned"], case, SEALED_TEXT, EntryFacts(categories=["medical_record"], sealed=True))
    other = Client.objects.create(display_name=OTHER_CLIENT_NAME, team=south)
    other_case = Case.objects.create(client=other, service=service, team=south, status=Case.Status.OPEN)
    other_case.workers.add(people["other_team"])
    return {"pack": pack, "north": north, "south": south, "client": client, "case": case, "note": note,
            "document": document, "sealed": sealed, "ex_partner": ex, "other_client": other, "other_case": other_case,
            **people}


def clients_named(name: str) -> list[Client]:
    """The clients with exactly this name, found as the search finds them (the blind index: the
    database holds no name to compare) and then checked once decrypted."""
    from confide.records.identity import index_key, query_tokens
    from confide.records.models import ClientNameToken

    found = Client.objects.all()
    for token in query_tokens(index_key(), name):
        found = found.filter(pk__in=ClientNameToken.objects.filter(token=token).values("client_id"))
    return [client for client in found if client.display_name == name]


class ConfideTestCase(TestCase):
    pack_name = "dvip"

    @classmethod
    def setUpTestData(cls):
        cls.p = make_people(cls.pack_name)

    def sign_in(self, who: str):
        """Sign in as one of the people, past both factors (those are tested in test_sign_in)."""
        user = self.p[who]
        self.client.force_login(user)
        session = self.client.session
        session[LAST_SEEN] = time.time()
        session.save()
        return user
