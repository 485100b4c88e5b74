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
from confide.records.models import Case, Client
from confide.records.notes import do_add_note

CLIENT_NAME = "Zelda Quillfeather"        # fictional; tests search pages and logs for it
OTHER_CLIENT_NAME = "Ambrose Thistlewick"  # fictional; belongs to the other team
NOTE_TEXT = "Zelda said the blue door is safe to use after six."


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
    do_add_note(people["assigned"], case, NOTE_TEXT)
    other = Client.objects.create(display_name=OTHER_CLIENT_NAME, team=south)
    other_case = Case.objects.create(client=other, service=service, team=south, status=Case.Status.OPEN)
    other_case.workers.add(people["other_team"])
    return {"pack": pack, "north": north, "south": south, "client": client, "case": case,
            "other_client": other, **people}


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
