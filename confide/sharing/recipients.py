"""To whom a worker may ask to share: the choices offered (named staff of partner agencies, the
agencies, the people on the client's file, or someone else), and a choice turned back into a
Recipient for the disclosure workflow. Only what is still in the directory, or on this client's
file, can be chosen; anything else is refused with the field it came from."""

from __future__ import annotations

from confide.partners.models import Agency, AgencyContact
from confide.records.people import person_details
from confide.sharing.disclosure import PERSON_RECIPIENT, DisclosureError, Recipient

Choice = tuple[str, str]


def recipient_choices(client) -> list[tuple[str, list[Choice]]]:
    """The choices of recipient, in groups: named staff of partner agencies, the agencies, people
    on the client's file (their names unsealed for the worker who may already see the file)."""
    groups: list[tuple[str, list[Choice]]] = []
    contacts = list(AgencyContact.objects.filter(active=True, agency__active=True).select_related("agency"))
    if contacts:
        groups.append(("Named staff at partner agencies",
                       [(f"contact:{c.pk}", f"{c.name}, {c.job_title + ', ' if c.job_title else ''}{c.agency.name}")
                        for c in contacts]))
    agencies = list(Agency.objects.filter(active=True))
    if agencies:
        groups.append(("Partner agencies (no named person)", [(f"agency:{a.pk}", a.name) for a in agencies]))
    people = list(client.people.all())
    if people:
        groups.append(("People on the client's file",
                       [(f"person:{p.pk}", f"{person_details(p).get('name', '')} ({p.get_relationship_display().lower()})")
                        for p in people]))
    return groups


def resolve_recipient(client, choice: str, *, other_kind: str = "", other_name: str = "") -> Recipient:
    """The Recipient a choice from recipient_choices names ("contact:7", "agency:3", "person:12"),
    or someone else of `other_kind` called `other_name`. DisclosureError (field "to") if the
    contact or agency has left the directory, or the person is not on this client's file."""
    kind, _, pk = choice.partition(":")
    if kind == "contact":
        contact = AgencyContact.objects.select_related("agency").filter(pk=pk, active=True).first()
        if contact is None:
            raise DisclosureError("that person is no longer in the directory", field="to")
        return Recipient(kind=contact.agency.kind, agency=contact.agency, contact=contact)
    if kind == "agency":
        agency = Agency.objects.filter(pk=pk, active=True).first()
        if agency is None:
            raise DisclosureError("that agency is no longer in the directory", field="to")
        return Recipient(kind=agency.kind, agency=agency)
    if kind == "person":
        person = client.people.filter(pk=pk).first()
        if person is None:
            raise DisclosureError("that person is not on this client's file", field="to")
        return Recipient(kind=PERSON_RECIPIENT[person.relationship], person=person,
                         relationship=person.relationship if person.relationship in ("partner", "ex_partner") else "")
    return Recipient(kind=other_kind, name=other_name)
