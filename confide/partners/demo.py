"""Demo partner agencies: fictional, for any pack. Telephone numbers are from Ofcom's drama range
and email addresses are @example.org, so nothing here can reach a real agency or person. Only
01632 960xxx numbers: the directory is stored in clear, and the demo test looks for 07700 900xxx
(the range of clients' sealed safe numbers) in the raw database file."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact


def do_seed_partners(created_by) -> dict:
    """Four agencies with named staff: children's services and the police with agreements in force
    today, probation with one that has expired, and a GP surgery with none. Returned by short key."""
    today = timezone.localdate()
    user = created_by
    childrens = do_add_agency(
        user, name="Northvale Children's Services", kind="childrens_services", known_phone="01632 960100",
        secure_email="northvale.mash@example.org", address="Multi-Agency Safeguarding Hub\nCivic Centre\nNorthvale",
        notes="Referrals about a child go to the MASH duty desk. Confirm receipt by phone.")
    social_worker = do_add_contact(user, childrens, name="Priya Fenwick", job_title="Senior social worker, MASH",
                                   email="priya.fenwick@example.org", phone="01632 960101")
    team_manager = do_add_contact(user, childrens, name="Tom Hargreave", job_title="Team manager, MASH",
                                  email="tom.hargreave@example.org", phone="01632 960102")
    childrens_agreement = do_add_agreement(
        user, childrens, title="Northvale safeguarding children information-sharing agreement",
        reference="NV-ISA-014", starts_on=today - timedelta(days=200), ends_on=today + timedelta(days=530),
        data=["case_notes", "risk_assessment", "contact_details"], purposes=["child_protection", "safeguarding"],
        contacts=[social_worker, team_manager])

    police = do_add_agency(
        user, name="Eastmere Police Public Protection Unit", kind="police", known_phone="01632 960200",
        secure_email="eastmere.ppu@example.org", address="Eastmere Police Station\nStation Road\nEastmere")
    detective = do_add_contact(user, police, name="Hollis Rayne", job_title="Detective Constable, Public Protection Unit",
                               email="hollis.rayne@example.org", phone="01632 960203")
    marac_lead = do_add_contact(user, police, name="Sunita Blackwood", job_title="MARAC coordinator",
                                email="sunita.blackwood@example.org", phone="01632 960202")
    police_agreement = do_add_agreement(
        user, police, title="Eastmere MARAC and public protection information-sharing protocol",
        reference="EP-PPU-2024", starts_on=today - timedelta(days=400), ends_on=None,
        data=["case_notes", "risk_assessment", "contact_details"], purposes=["risk_management", "safeguarding"],
        contacts=[detective, marac_lead])

    probation = do_add_agency(
        user, name="Eastmere and Northvale Probation Delivery Unit", kind="probation", known_phone="01632 960300",
        secure_email="probation.pdu@example.org")
    probation_officer = do_add_contact(user, probation, name="Marcus Oakley", job_title="Probation officer",
                                       email="marcus.oakley@example.org", phone="01632 960301")
    probation_agreement = do_add_agreement(
        user, probation, title="Probation risk information-sharing agreement (lapsed)", reference="PDU-ISA-2023",
        starts_on=today - timedelta(days=760), ends_on=today - timedelta(days=30),
        data=["risk_assessment"], purposes=["risk_management"], contacts=[probation_officer])

    gp = do_add_agency(user, name="Hollowmere Medical Practice", kind="gp", known_phone="01632 960400",
                       address="Hollowmere Health Centre\nMill Lane\nHollowmere")
    practice_manager = do_add_contact(user, gp, name="Owen Birch", job_title="Practice manager",
                                      email="owen.birch@example.org", phone="01632 960401")

    return {"childrens_services": childrens, "police": police, "probation": probation, "gp": gp,
            "social_worker": social_worker, "team_manager": team_manager, "detective": detective,
            "marac_lead": marac_lead, "probation_officer": probation_officer, "practice_manager": practice_manager,
            "childrens_agreement": childrens_agreement, "police_agreement": police_agreement,
            "probation_agreement": probation_agreement}
