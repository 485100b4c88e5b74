"""People and records the staffing tests share (fictional only), added to tests/base.py's make_people:
a worker with a personnel file whose line manager is the north team's manager, a second manager who
is not their line manager, and someone in the role the pack's sealed rule opens the medical section
to. Kept here, not imported from another test module."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from confide.staffing.models import PersonnelFile
from confide.staffing.services import do_open_personnel_file, do_update_personnel
from tests.base import make_people, role_of_kind

NOTES = "Probation passed: Sam settled in well on the rota."   # fictional
HOME = "12 Larkspur Row, Exampleton"                          # fictional address
PHONE = "07700 900888"                                        # Ofcom's drama range
REFERENCE = "Sam was reliable and kind in every shift."
REFEREE = "Petronella Fairweather"
MEDICAL = "Fit note: back strain, two weeks from the third."
SECRETS = [NOTES, HOME, PHONE, REFERENCE, REFEREE, MEDICAL]


def sealed_role(pack) -> str:
    return sorted(pack.spec.access["sealed"].extra["open_to"])[0]


def staffing_people(pack_name: str) -> dict:
    p = make_people(pack_name)
    pack = p["pack"]
    User = get_user_model()
    p["other_manager"] = User.objects.create_user(
        username="othermanager", password="othermanager-password-1", role=role_of_kind(pack, "manager"),
        team=p["south"], first_name="Otto", last_name="Othermanager")
    role = sealed_role(pack)
    if p["data_controller"].role == role:
        p["sealed"] = p["data_controller"]
    else:
        p["sealed"] = User.objects.create_user(username="sealedrole", password="sealedrole-password-1", role=role,
                                               team=p["north"], first_name="Selma", last_name="Sealed")
    keeper = p["manager"]
    p["file"] = do_open_personnel_file(keeper, p["same_team"], p["manager"], dt.date(2024, 4, 1))
    do_update_personnel(p["manager"], p["file"], "notes", NOTES)
    do_update_personnel(p["manager"], p["file"], "contact", {"home_address": HOME, "phone": PHONE})
    do_update_personnel(p["manager"], p["file"], "references", {"referee": REFEREE, "text": REFERENCE})
    do_update_personnel(p["sealed"], p["file"], "medical", MEDICAL)
    p["file"] = PersonnelFile.objects.get(pk=p["file"].pk)
    return p
