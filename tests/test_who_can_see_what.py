"""docs/who-can-see-what.md must stay true: its `dvip` tables are checked against the engine, so a
change in the pack's meaning that the page does not follow fails here."""

from __future__ import annotations

from pathlib import Path

import pytest

from confide.policy import load_pack

DOC = Path(__file__).resolve().parents[1] / "docs" / "who-can-see-what.md"
ANSWERS = {"Yes": "permit", "Break-glass": "permit_if_approved", "No": "deny"}
KIND_COLUMNS = ["worker", "volunteer", "manager", "data controller", "trustee", "administrator"]
ROLE_OF_KIND = {"worker": "wss_worker", "volunteer": "volunteer", "manager": "team_manager",
                "data controller": "head_of_service_delivery", "trustee": "committee_member",
                "administrator": "administrator"}


def table_after(heading: str) -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").split(heading, 1)[1].splitlines()
    rows, started = [], False
    for line in lines:
        if line.startswith("|"):
            started = True
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif started:
            break
    return rows[1:]  # without the header


def request(kind: str, *, assigned: bool, team: str, service: str, purpose: str) -> dict:
    return {"action": "access",
            "actor": {"role": ROLE_OF_KIND[kind], "team": "north", "assigned_to_case": assigned},
            "record": {"kind": "case_notes", "service": service, "team": team, "sealed": False},
            "purpose": purpose}


# One representative request per row of the page's table, in the page's order. The worker is a
# Women's Support Service worker ("own service" = wss); "another service" is the VPP.
SITUATIONS = [
    [dict(assigned=True, team="north", service="wss", purpose="direct_support")],
    [dict(assigned=False, team="north", service="wss", purpose=p) for p in
     ("supervision", "case_management", "risk_management", "cover", "advice")],
    [dict(assigned=False, team="south", service="wss", purpose=p) for p in
     ("supervision", "case_management", "child_protection", "risk_management")]
    + [dict(assigned=False, team="north", service="wss", purpose="child_protection")],
    [dict(assigned=False, team="south", service="vpp", purpose=p) for p in ("subject_access", "audit")],
    [dict(assigned=False, team="south", service="vpp", purpose="direct_support")],
]


def test_the_roles_table_names_every_dvip_role_with_its_kind():
    pack = load_pack("dvip")
    rows = {row[0]: row[1] for row in table_after("### Roles")}
    assert rows == {role.label: role.kind.replace("_", " ") for role in pack.roles.values()}


@pytest.mark.parametrize("row_number", range(len(SITUATIONS)))
def test_each_row_of_the_access_table_is_what_the_engine_decides(row_number):
    pack = load_pack("dvip")
    row = table_after("### Who may open a client's file, according to the pack")[row_number]
    said = dict(zip(KIND_COLUMNS, row[1:], strict=True))
    for kind in KIND_COLUMNS:
        for situation in SITUATIONS[row_number]:
            decided = pack.decide(request(kind, **situation))["decision"]
            assert decided == ANSWERS[said[kind]], f"row {row_number + 1} ({row[0][:40]}…), {kind}, {situation}"
