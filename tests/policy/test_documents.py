"""Client documents generated from a pack name the organisation running Confide, never the pack's
source organisation; each pack has its statement of the limits of confidentiality for the people its
policy says are told them; a declaration staff sign (Day-Mer's Confidentiality Agreement) is never
a client's document."""

from __future__ import annotations

import pytest

from confide.policy import PackError, load_pack, pack_names
from confide.policy.explain import documents_for, render_document
from confide.policy.loader import PACKS_DIR, compile_text

ORG = "Brightwater Support Service (demo)"
SOURCE_NAMES = ("DVIP", "Domestic Violence Intervention Project", "JustUs", "Home-Start", "Day-Mer", "Derbyshire",
                "Welwyn")


@pytest.mark.parametrize("name", pack_names())
def test_every_client_document_names_the_organisation_running_confide(name):
    pack = load_pack(name)
    client_docs = [d for d in pack.documents.values() if "staff_declaration" not in d["kinds"]]
    assert client_docs, f"{name} has a document for its clients"
    for doc in pack.documents.values():
        text = render_document(pack, doc["name"], ORG)
        assert text.splitlines()[1] == ORG
        assert ORG in text and "{organisation}" not in text
        for source in SOURCE_NAMES:
            assert source not in text, f"{name}/{doc['name']} names {source}"


# Who each policy says is told the limits of their confidentiality, and in which document.
STATEMENTS = [
    ("dvip", "perpetrator", "vpp", "vpp_statement", "Appendix A", ("signed",)),  # introduction, 9.01
    ("dvip", "victim", "wss", "victim_consent", "Appendix B", ("explained_in_person", "explained_by_phone", "signed")),
    ("derbyshire", "victim", "support", "confidentiality_limits", "Confidentiality and information sharing", None),
    ("justus", "service_user", None, "client_information", "2.1", None),
    ("home_start", "parent", None, "family_information", "1.1", None),
    ("day_mer", "service_user", None, "confidentiality_for_clients", "Confidentiality Policy", None),
]


@pytest.mark.parametrize("pack_name, role, service, document, clause, ways", STATEMENTS)
def test_each_pack_has_its_statement_of_the_limits_of_confidentiality(pack_name, role, service, document, clause,
                                                                      ways):
    pack = load_pack(pack_name)
    service = service if service in pack.services else next(iter(pack.services))
    found = documents_for(pack, "limits_statement", role, service)
    assert [d["name"] for d in found][:1] == [document]
    assert found[0]["clause"] == clause
    if ways:
        assert found[0]["ways"] == ways


def test_dvip_appendix_b_is_both_the_victims_statement_and_her_consent_form():
    pack = load_pack("dvip")
    assert pack.documents["victim_consent"]["kinds"] == {"limits_statement", "consent_form"}
    assert [d["name"] for d in documents_for(pack, "consent_form", "victim", "wss")] == ["victim_consent"]
    assert documents_for(pack, "consent_form", "perpetrator", "vpp") == []


def test_home_start_gives_the_statement_in_writing_as_well():
    # 1.1: "clear information, verbally and in writing"
    assert load_pack("home_start").documents["family_information"]["copy_required"] is True


def test_day_mers_confidentiality_agreement_is_a_staff_declaration_not_a_client_document():
    pack = load_pack("day_mer")
    agreement = pack.documents["confidentiality_agreement"]
    assert agreement["kinds"] == {"staff_declaration"}
    for kind in ("limits_statement", "consent_form"):
        for role in ("service_user", "parent"):
            assert "confidentiality_agreement" not in [d["name"] for d in documents_for(pack, kind, role, "day_mer")]
    # It still renders, for staff to sign, naming the organisation.
    text = render_document(pack, "confidentiality_agreement", ORG)
    assert text.startswith(f"{ORG} confidentiality agreement") and "Complaints Officer" in text


def test_without_an_organisation_the_document_is_the_policys_own():
    text = render_document(load_pack("dvip"), "vpp_statement")
    assert text.startswith("Domestic Violence Intervention Project – Violence Prevention Programme")
    assert "policy pack 'dvip' version" in text


DAY_MER = (PACKS_DIR / "day_mer.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, field, message", [
    ("    kind: staff_declaration\n", "    kind: [staff_declaration, limits_statement]\n",
     "documents.confidentiality_agreement.kind", "not also a client document"),
    ("    kind: staff_declaration\n", "    kind: leaflet\n", "documents.confidentiality_agreement.kind[0]",
     "unknown kind of document"),
    ("    title: \"{organisation}: your confidentiality", "    title: \"{organization}: your confidentiality",
     "documents.confidentiality_for_clients.title", "unknown placeholder {organization}"),
])
def test_the_schema_refuses_a_wrong_kind_or_placeholder(old, new, field, message):
    assert old in DAY_MER
    with pytest.raises(PackError) as exc:
        compile_text(DAY_MER.replace(old, new, 1), "own-pack.yaml")
    assert exc.value.field == field and message in str(exc.value)


def test_consent_over_time_is_read_from_the_pack():
    justus = load_pack("justus").spec.consent
    assert justus["remind_withdrawal"]["every_days"] == 90 and justus["remind_withdrawal"]["clause"] == "5.4"
    assert justus["to_support"]["clause"] == "5.5" and justus["to_referral"] is None
    home_start = load_pack("home_start").spec.consent
    assert home_start["to_referral"]["clause"] == "7.1" and home_start["remind_withdrawal"] is None
    text = (PACKS_DIR / "justus.yaml").read_text(encoding="utf-8")
    with pytest.raises(PackError) as exc:
        compile_text(text.replace("    every_days: 90\n", "    every_days: 0\n", 1), "own-pack.yaml")
    assert exc.value.field == "consent.remind_withdrawal.every_days"
