"""The demo's files have other people in them, and the command line's strictest subject-access draft
(confide/subject_access/services.draft_pdf) withholds them from every demo client's copy.

The demo records people around its clients (an ex-partner, a child, a sister) under fictional names
whose surnames are found nowhere else in the demo or in Confide, with phone numbers and addresses, and
notes that name them: in the client's own words, from someone else, only about the other person, and
a note of health information. Each client's draft is read back with pypdf as the client would read
it: no one else's name, surname, first name, phone number or address, and the client's own words."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from confide.demo import (
    HEALTH_NOTE,
    NOTE_LINES,
    PEOPLE_ADDRESSES,
    PEOPLE_FIRST_NAMES,
    PEOPLE_NOTES,
    PEOPLE_SURNAMES,
    PERPETRATOR_NOTES,
    RISK_LINES,
    SELF,
    do_ensure_demo,
)

CONFIDE = Path(__file__).resolve().parents[2] / "confide"
PHONE = re.compile(r"07700 900\d{3}")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def _confide_texts() -> dict[Path, str]:
    """Every text Confide may print from: its code, templates and policy packs."""
    return {path: path.read_text(encoding="utf-8", errors="replace").casefold()
            for path in CONFIDE.rglob("*") if path.is_file() and path.suffix in {".py", ".html", ".yaml", ".txt",
                                                                                 ".css", ".js", ".md"}}


def test_the_people_around_demo_clients_have_names_found_nowhere_else():
    from faker.providers.person.en_GB import Provider

    faker_names = {n.casefold() for n in (*Provider.first_names, *Provider.last_names)}
    firsts = [name for names in PEOPLE_FIRST_NAMES.values() for name in names]
    assert len(set(PEOPLE_SURNAMES)) == len(PEOPLE_SURNAMES) >= 20 and len(set(firsts)) == len(firsts) >= 20
    texts = _confide_texts()
    demo = CONFIDE / "demo.py"
    for surname in PEOPLE_SURNAMES:
        folded = surname.casefold()
        # No client's or staff member's name (all from Faker en_GB) holds it, even inside a longer name.
        assert not [n for n in faker_names if folded in n], surname
        for half in folded.split("-"):
            assert not [n for n in faker_names if half in n], (surname, half)
        # Nor any other text of the demo (agencies, streets, the organisation) or of Confide.
        assert texts[demo].count(folded) == 1, f"{surname} is written once in confide/demo.py, in its list"
        elsewhere = [str(path.relative_to(CONFIDE)) for path, text in texts.items() if path != demo and folded in text]
        assert not elsewhere, (surname, elsewhere)
        assert all(folded not in line.casefold() for line in (*NOTE_LINES, *RISK_LINES, *PEOPLE_ADDRESSES))
    for first in firsts:
        assert first.casefold() not in faker_names, f"{first} could be a client's first name"
        assert texts[demo].count(first.casefold()) == 1, first
    for address in PEOPLE_ADDRESSES:
        assert texts[demo].count(address.casefold()) == 1


def _own_words(text: str, person: dict) -> list[str]:
    """The client's own words of a note naming someone: what is left around the name, the phone
    number and the address (each of some length)."""
    pieces = [text]
    for needle in (person["name"], *PHONE.findall(person.get("contact", "")),
                   *[a for a in PEOPLE_ADDRESSES if a in person.get("contact", "")]):
        pieces = [bit for piece in pieces for bit in piece.split(needle)]
    return [piece.strip(" ;,.") for piece in pieces if len(piece.strip(" ;,.")) >= 20]


@pytest.mark.django_db
def test_every_demo_clients_draft_withholds_the_people_around_them_and_keeps_their_own_words():
    from confide.records.models import Client, Entry, RelatedPerson
    from confide.subject_access.access import access_file_for_command
    from confide.subject_access.services import draft_pdf

    do_ensure_demo(clients=12)
    clients = list(Client.objects.order_by("id")[:12])  # the demo's own (the year of past clients come after)
    people = {}
    for person in RelatedPerson.objects.order_by("id"):
        people.setdefault(person.client_id, []).append(person.details)
    naming = list(Entry.objects.filter(about_people__isnull=False).select_related("case").distinct())
    health = [e for e in Entry.objects.select_related("case") if "health" in e.categories]
    # The demo has what this test is about: people with numbers and addresses, notes naming them in
    # the client's words and in someone else's, about the other person only, and health information.
    assert sum(map(len, people.values())) >= 8
    assert any(PHONE.search(p["contact"]) for ps in people.values() for p in ps)
    assert any(a in p["contact"] for ps in people.values() for p in ps for a in PEOPLE_ADDRESSES)
    assert {(e.source, e.about_client) for e in naming} >= {("client", True), ("third_party", True), ("third_party", False)}
    assert health
    texts = {e.pk: e.body for e in naming}
    assert any(PHONE.search(t) for t in texts.values()), "a note gives someone's phone number"

    own_lines = [line.format(self=word) for line in NOTE_LINES for word in SELF.values()] + RISK_LINES
    for client in clients:
        text = _text(draft_pdf(access_file_for_command(client.pk)))
        folded, squashed = text.casefold(), re.sub(r"\s+", "", text).casefold()
        assert client.display_name in text, "the copy is the client's (their name on the cover)"
        for person in people.get(client.pk, []):
            first, surname = person["name"].split(" ", 1)
            needles = [person["name"], first, surname, *surname.split("-"), *PHONE.findall(person["contact"]),
                       *[a for a in PEOPLE_ADDRESSES if a in person["contact"]]]
            for needle in needles:
                assert needle.casefold() not in folded, f"client {client.pk}'s draft shows someone else's details"
            assert surname.casefold() not in squashed and person["name"].replace(" ", "").casefold() not in squashed
        assert any(line in text for line in own_lines), f"client {client.pk}'s own notes are in their draft"
        for entry in (e for e in naming if e.case.client_id == client.pk):
            person = next(p for p in people[client.pk] if p["name"] in texts[entry.pk])
            for phone in PHONE.findall(texts[entry.pk]):
                assert phone not in text
            words = _own_words(texts[entry.pk], person)
            if entry.source == "client" and entry.about_client:
                # In the client's own words: given, with only the other person's details covered.
                assert words and all(w in text for w in words), (client.pk, entry.pk)
            else:
                # From someone else, or only about the other person: withheld whole.
                assert not any(w in text for w in words), (client.pk, entry.pk)
        if any(e.case.client_id == client.pk for e in health):
            assert "sertraline" not in folded, "health information waits for a health professional's opinion"


def test_the_notes_naming_someone_use_only_the_words_the_person_has():
    # Every template fills from the person's words and the client's pronouns; none is left unfilled.
    words = {"name": "Ottoline Quennell", "phone": "07700 900001", "address": PEOPLE_ADDRESSES[0], "kin": "sister",
             "they": "she"}
    pronouns = {"she": "she", "her": "her", "his": "her", "She": "She", "His": "Her"}
    for text, source, _about, _kind in [t for ts in PEOPLE_NOTES.values() for t in ts] + PERPETRATOR_NOTES:
        filled = text.format(**words, **pronouns)
        assert "{" not in filled and "Ottoline Quennell" in filled
        assert source in {"client", "third_party"}
    assert "{" not in HEALTH_NOTE.format(**pronouns)
