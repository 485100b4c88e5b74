"""The redaction proposer for subject-access copies: what it proposes to hide from a client's own
file (other people's details), what it leaves readable (the client's own name and words), and that
its offsets point at exactly the detail. Every person here is fictional; every phone number is in
Ofcom's drama ranges."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confide.subject_access.redaction import Known, Proposal, propose

NOBODY = Known(names=[])
AROUND = Known(
    names=["Darren Hollis", "Daz", "Tom Okafor"],
    phones=["07700 900555"],
    addresses=["22 Quarry Mount, Leeds LS6 2AB"],
    emails=["d.hollis@example.com"],
    client_names=["Jane Okafor"],
)


def found(text: str, known: Known = NOBODY) -> list[tuple[str, str, str]]:
    """(the words proposed, what they are, what proposed them), in order."""
    return [(text[p.start:p.end], p.what, p.proposed_by) for p in propose(text, known)]


def words(text: str, known: Known = NOBODY) -> list[str]:
    return [text[p.start:p.end] for p in propose(text, known)]


# --- UK patterns ----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", [
    "07700 900123", "07700-900-123", "+44 7700 900123", "020 7946 0000", "01632 960123", "(01632) 960123",
    "07700900123", "+44 (0)7700 900123", "0113 496 0000",
])
def test_uk_phone_numbers_as_written_are_proposed_whole(number):
    text = f"She said he rang from {number} twice last night."
    assert words(text) == [number]
    assert {what for _, what, _ in found(text)} == {"phone"}


@pytest.mark.parametrize("text", [
    "We met at 10:30 and again after six.",
    "She paid £250 towards the deposit and £1,250 in arrears.",
    "This is case number 1234, ref 2024/0012, page 12 of 40.",
    "Seen on 12/03/2024 and 2024-03-14 by her worker.",
    "Her three children are aged 4, 7 and 11; the bus is the 38 at 6.15pm.",
    "An account number 12345678901 is not a phone number without its leading 0.",
])
def test_times_money_dates_and_case_numbers_are_left_readable(text):
    assert found(text) == []


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "sw1a 1aa", "DN551PT"])
def test_postcodes_in_any_case_with_or_without_the_space(postcode):
    text = f"He has moved to {postcode} since the summer."
    assert found(text) == [(postcode, "postcode", "uk_pattern")]


@pytest.mark.parametrize("text", [
    "Take the A1 2nd exit, then the M25 towards the airport.",
    "Meet at 10am or 2pm, Year 10 at school, Q1 2024.",
    "Her car is a Citroen A2 2CV.",  # C and V never end a postcode
])
def test_road_numbers_times_and_ordinals_are_not_postcodes(text):
    assert found(text) == []


@pytest.mark.parametrize("nino", ["QQ 12 34 56 C", "QQ123456C", "AB123456C", "AB 12 34 56 C", "JK 12 34 56 D"])
def test_national_insurance_numbers(nino):
    text = f"His NI number is {nino} according to the letter."
    assert words(text) == [nino]
    assert found(text)[0][1] == "nino"


@pytest.mark.parametrize("text", ["Form AB 12 was sent.", "Code QQ 12 34 56 E is not an NI number."])
def test_not_national_insurance_numbers(text):
    assert found(text) == []


@pytest.mark.parametrize("nhs", ["943 476 5919", "943-476-5919", "9434765919"])
def test_nhs_numbers_with_a_valid_check_digit(nhs):
    text = f"The GP letter gives NHS number {nhs} for him."
    assert found(text) == [(nhs, "nhs_number", "presidio")]


@pytest.mark.parametrize("nhs", ["943 476 5918", "943-476-5918", "9434765918"])
def test_ten_digits_with_a_wrong_check_digit_are_not_nhs_numbers(nhs):
    assert found(f"The letter gives reference {nhs} for him.") == []


def test_email_addresses():
    text = "He wrote from darren.h@example.com and tom_o+work@mail.example.co.uk yesterday."
    assert found(text) == [("darren.h@example.com", "email", "presidio"),
                           ("tom_o+work@mail.example.co.uk", "email", "presidio")]
    assert found("Use x@y or @ symbols freely; the file draft@v2.docx was saved.") == []


@pytest.mark.parametrize("text, date", [
    ("Her ex-partner was born 12/03/1985 in Leeds.", "12/03/1985"),
    ("DOB: 12-03-1985 (from the police report).", "12-03-1985"),
    ("D.O.B. 12 March 1985, not confirmed.", "12 March 1985"),
    ("His date of birth is the 12th March 1985.", "12th March 1985"),
    ("dob 1985-03-12 on the referral.", "1985-03-12"),
    ("He was born in Leeds on 3 May 1990.", "3 May 1990"),
    ("DOB 12/03/1985, seen 14/03/2024 at home.", "12/03/1985"),  # the next date is not a birth date
])
def test_a_date_after_born_or_dob_is_proposed_without_the_cue(text, date):
    assert found(text) == [(date, "date_of_birth", "uk_pattern")]


@pytest.mark.parametrize("text", [
    "Seen on 12/03/1985 and again on 12 March 1985.",
    "The baby was born healthy. She was seen again on 12/03/2024.",
    "He was born in Leeds. Seen 12/03/2024.",
    "Born and raised nearby; her worker visited on the 4th June 2010.",
])
def test_other_dates_are_not_proposed(text):
    assert found(text) == []


@pytest.mark.parametrize("address", ["14 Larch Road", "Flat 2, 7 Mill Lane", "3a St Mary's Gardens", "9 Elm Close"])
def test_house_number_and_street(address):
    text = f"She is staying at {address} for now."
    assert found(text) == [(address, "address", "uk_pattern")]


@pytest.mark.parametrize("text", [
    "She waited 10 minutes down the road and 3 streets away.",
    "I told her on 1 Friday Close to home that 7 Days Walk is a film.",
    "We walked 3 Miles down the Road.",
])
def test_ordinary_sentences_with_numbers_and_street_words_are_not_addresses(text):
    assert found(text) == []


def test_a_page_of_ordinary_words_has_nothing_proposed():
    text = ("I am writing because I want to know what you have written about me. After six he would come "
            "round and I would be frightened. On Monday at 10:30 I went to the office and paid £250. My "
            "worker said she will help and that we could walk to the park. I hope that is right. My "
            "number in your system is number 1234. Thank you for your help, it was a grey day.")
    assert found(text, AROUND) == []


# --- the people recorded around the client ------------------------------------------------------------

def test_full_names_and_each_part_of_a_name_alone():
    text = "Darren Hollis called. Later Darren came back, and Hollis waited in the car. Daz left."
    assert found(text, AROUND) == [("Darren Hollis", "name", "people_recorded"),
                                   ("Darren", "name", "people_recorded"),
                                   ("Hollis", "name", "people_recorded"),
                                   ("Daz", "name", "people_recorded")]


def test_possessives_and_any_case():
    text = "DARREN took darren's keys and Hollis’ phone; hollis shouted."
    assert words(text, AROUND) == ["DARREN", "darren", "Hollis", "hollis"]


def test_names_inside_other_words_are_not_proposed():
    assert found("Darrenby and Hollisford are towns; Dazzle is a word.", AROUND) == []


def test_names_joined_by_underscores_in_a_file_name():
    text = "Attached: Darren_Hollis_statement.txt and hollis_letter.pdf."
    assert found(text, AROUND) == [("Darren_Hollis", "name", "people_recorded"),
                                   ("hollis", "name", "people_recorded")]


def test_a_name_across_a_line_break_is_found_whole():
    text = "Seen with Darren\nHollis at the door."
    assert words(text, AROUND) == ["Darren\nHollis"]


def test_the_clients_own_name_is_never_proposed_but_a_child_sharing_her_surname_is():
    text = "Jane Okafor came in with Tom Okafor. The Okafor family is known to us. Tom is at school. Jane is well."
    assert found(text, AROUND) == [("Tom Okafor", "name", "people_recorded"), ("Tom", "name", "people_recorded")]


def test_an_alias_that_is_the_clients_own_first_name_is_not_proposed():
    known = Known(names=["Jane Hollis", "Jane"], client_names=["Jane Okafor"])
    assert words("Jane Okafor said Jane Hollis and Jane were there; Hollis too.", known) == [
        "Jane Hollis", "Hollis"]


def test_nothing_inside_the_clients_own_name_even_when_a_third_party_shares_it():
    known = Known(names=["Jane Okafor"], client_names=["Jane Okafor"])
    assert found("Jane Okafor asked for her file.", known) == []


def test_a_third_partys_name_containing_the_clients_is_proposed_only_outside_it():
    known = Known(names=["Mary Jane Okafor"], client_names=["Jane Okafor"])
    text = "Mary Jane Okafor visited; Mary said Jane Okafor was out."
    assert words(text, known) == ["Mary", "Mary"]


def test_name_parts_that_are_ordinary_words_need_their_capital():
    known = Known(names=["Will Green", "Tommy Ward"], client_names=["Jane Okafor"])
    text = "She will paint the green door. Will came, Green followed, WARD too; will green is no one."
    assert words(text, known) == ["Will", "Green", "WARD", "will green"]


def test_titles_particles_and_short_parts_are_not_names_alone():
    known = Known(names=["Mrs Jo van Dijk"], client_names=[])
    text = "Mrs Patel said Jo left the van; Dijk and Mrs Jo van Dijk stayed."
    assert words(text, known) == ["Dijk", "Mrs Jo van Dijk"]


def test_recorded_phone_numbers_however_spaced():
    text = "Texts from 07700900555, from 07700 900 555 and from +44 7700 900555."
    assert found(text, AROUND) == [(n, "phone", "people_recorded")
                                   for n in ("07700900555", "07700 900 555", "+44 7700 900555")]


def test_recorded_email_and_address_as_they_appear():
    text = "He wrote from D.Hollis@Example.com and lives at 22 Quarry Mount,\nLeeds LS6 2AB with his mother."
    assert found(text, AROUND) == [("D.Hollis@Example.com", "email", "people_recorded"),
                                   ("22 Quarry Mount,\nLeeds LS6 2AB", "address", "people_recorded")]


def test_the_street_of_a_recorded_address_with_or_without_its_house_number():
    text = "She saw him near 22 Quarry Mount yesterday, and he drove down Quarry Mount again."
    assert found(text, AROUND) == [("22 Quarry Mount", "address", "people_recorded"),
                                   ("Quarry Mount", "address", "people_recorded")]
    assert found("He went to Leeds and up a quarry road.", AROUND) == []


# --- merging and offsets ---------------------------------------------------------------------------------

def test_overlapping_proposals_are_merged_keeping_the_first_kind():
    # The recorded address contains the postcode the pattern also finds: one proposal, an address.
    text = "Lives at 22 Quarry Mount, Leeds LS6 2AB now."
    assert found(text, AROUND) == [("22 Quarry Mount, Leeds LS6 2AB", "address", "people_recorded")]


def test_a_merged_proposal_containing_a_name_is_a_name():
    known = Known(names=["Kieran Blakeley"], client_names=["Jane Okafor"])
    text = "He lives at 4 Blakeley Court with his brother."
    assert found(text, known) == [("4 Blakeley Court", "name", "people_recorded")]


def test_separate_details_stay_separate_and_sorted():
    text = "Darren Hollis (07700 900555) and Tom Okafor, SW1A 1AA."
    props = propose(text, AROUND)
    assert [text[p.start:p.end] for p in props] == ["Darren Hollis", "07700 900555", "Tom Okafor", "SW1A 1AA"]
    assert all(a.end < b.start for a, b in itertools.pairwise(props))
    assert all(isinstance(p, Proposal) for p in props)


def test_offsets_are_exact_in_longer_text_with_non_ascii_characters():
    text = ("Café visit — Zoë’s worker noted: “Darren rang 07700 900123 at 10:30”.\n"
            "Postcode CR2 6XH; NHS 943 476 5919; born 12 March 1985; email d.hollis@example.com.")
    expected = ["Darren", "07700 900123", "CR2 6XH", "943 476 5919", "12 March 1985", "d.hollis@example.com"]
    props = propose(text, AROUND)
    assert [text[p.start:p.end] for p in props] == expected
    for p, detail in zip(props, expected, strict=True):
        assert p.start == text.index(detail) and p.end == p.start + len(detail)


def test_empty_text_and_nobody_known():
    assert propose("", AROUND) == []
    assert propose("   \n", AROUND) == []
    assert propose("Nothing to see here.", Known(names=[])) == []


# --- properties -------------------------------------------------------------------------------------------

FILLER = ("she said he came round again after six and the children were upset at school on Monday we "
          "agreed a plan she will call 10:30 £250 number 1234 12/03/2024 if needed worried safe home "
          "door car park road grey").split()
PEOPLE = [("Darren", "Hollis"), ("Kieran", "Blakeley"), ("Shona", "Pritchard"), ("Gareth", "Womack")]
PHONE_FORMS = ["07700 900{}", "07700900{}", "07700-900-{}", "+44 7700 900{}", "+44 (0)7700 900{}", "(07700) 900{}"]


@st.composite
def notes(draw):
    first, surname = draw(st.sampled_from(PEOPLE))
    name = draw(st.sampled_from([f"{first} {surname}", surname, first, f"{surname}'s", f"{first}’s",
                                 f"{first} {surname}".upper(), surname.lower()]))
    tail = draw(st.from_regex(r"\A[0-9]{3}\Z"))
    phone = draw(st.sampled_from(PHONE_FORMS)).format(tail)
    filler = draw(st.lists(st.sampled_from(FILLER), min_size=0, max_size=40))
    punct = draw(st.sampled_from(["", ",", ".", ";"]))
    pieces = list(filler)
    for inserted in (name + punct, phone, "Jane Okafor", draw(st.sampled_from([surname, name]))):
        pieces.insert(draw(st.integers(0, len(pieces))), inserted)
    recorded_phone = draw(st.booleans())
    known = Known(names=[f"{first} {surname}"], phones=[f"07700 900 {tail}"] if recorded_phone else [],
                  client_names=["Jane Okafor"])
    return " ".join(pieces), known, first, surname, "7700900" + tail


@settings(max_examples=60, deadline=None)
@given(notes())
def test_after_redaction_no_name_surname_or_phone_remains_and_the_client_is_untouched(example):
    text, known, first, surname, phone_digits = example
    props = propose(text, known)
    remaining, at = [], 0
    for p in props:
        assert at <= p.start < p.end <= len(text)
        remaining.append(text[at:p.start])
        remaining.append("█")
        at = p.end
    remaining.append(text[at:])
    left = "".join(remaining)
    assert surname.lower() not in left.lower()
    assert first.lower() not in left.lower()
    assert phone_digits not in re.sub(r"\D", "", left)
    assert "Jane Okafor" in left


def test_a_thousand_notes_each_has_its_details_proposed_and_nothing_else():
    rng = random.Random(20240312)
    known = Known(names=["Darren Hollis", "Tom Okafor"], phones=["07700 900555"], client_names=["Jane Okafor"])
    details = ["Darren", "Hollis", "Tom Okafor", "07700 900555", "01632 960123", "SW1A 1AA", "943 476 5919"]
    for _ in range(1000):
        detail = rng.choice(details)
        body = [rng.choice(FILLER) for _ in range(70)]  # about 400 characters
        body.insert(rng.randrange(len(body)), detail)
        body.insert(rng.randrange(len(body)), "Jane Okafor")
        text = " ".join(body)
        assert words(text, known) == [detail], text
