"""Client records pages. Thin: every read goes through confide.records.access (the gate), every
write through a do_* function; nothing here decides who sees what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.ids import record_id
from confide.policy import reasons as reason_rules
from confide.policy import vocab
from confide.policy.filters import purposes_for_lists, purposes_outside_own_cases
from confide.policy.wording import check_wording
from confide.records.access import (
    access_case_to_write,
    access_client,
    access_client_to_write,
    access_document,
    access_possible_duplicates,
    list_clients,
)
from confide.records.break_glass import ReasonNeeded, do_open_outside
from confide.records.cases import CaseError
from confide.records.entries import (
    AlreadySaved,
    EntryError,
    EntryFacts,
    do_add_document,
    do_add_note,
    do_add_risk_assessment,
    document_content,
    document_filename,
    entry_changes,
)
from confide.records.models import RelatedPerson, SafeContact
from confide.records.people import do_add_related_person
from confide.records.safe_contact import (
    do_confirm_safe_contact,
    do_set_safe_contact,
    needs_checking,
    safe_contact_details,
)
from confide.sharing.cases import do_change_case, do_take_referral
from confide.web import client_views, describe, limits_views, sar_views
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.file_rows import RELATIONSHIP_LABELS as _RELATIONSHIP_LABELS
from confide.web.file_rows import case_row as _case_row
from confide.web.file_rows import entry_row as _entry_row
from confide.web.file_rows import url as _url
from confide.web.purposes import asks_purpose, bad_purpose, bad_request, with_purpose
from confide.web.record_forms import (
    CaseForm,
    DocumentForm,
    NoteForm,
    OpenOutsideForm,
    ReferralForm,
    RelatedPersonForm,
    RiskAssessmentForm,
    SafeContactForm,
)

PAGE = 50


# Client list and search ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def client_list(request):
    """The clients this person may open, for the purpose they give: by default their own caseload.
    A search looks only among those, so it finds nobody else's client. Searching and the next page
    are sent by POST, so that no part of a client's name is ever in an address, and so never in
    the browser's history on a shared computer."""
    data = request.POST if request.method == "POST" else request.GET
    purpose = data.get("purpose", "direct_support")
    offered = purposes_for_lists(current_policy(), role=request.user.role, has_team=request.user.team_id is not None)
    if purpose not in current_policy().purposes:
        return bad_purpose(request)
    if purpose not in offered and purpose != "direct_support":
        # Refused at once: a purpose that lists nothing for this person is not asked of the database.
        return bad_request(request, "That purpose lists no clients for you",
                           "Your service's policy lets you list clients only for the purposes offered on the "
                           "list page. To open one file for another purpose, use \u201cOpen another file\u201d.")
    query = data.get("q", "").strip()[:100] if request.method == "POST" else ""
    after = None
    if request.method == "POST" and data.get("after_id"):
        try:
            after = record_id(data["after_id"])
        except Http404:
            after = None  # no number a client could have (2**63, "²"): the list from its start
    clients = list_clients(request.user, purpose, query=query, limit=PAGE + 1, after=after)
    more = len(clients) > PAGE
    clients = clients[:PAGE]
    # Each row as plain strings: the list is the page people open most, and a template looks a
    # key up in a dict, and prints a string, faster than it reads a model's attribute or formats a number.
    rows = [{"url": with_purpose(_url("web:client_file", client.pk), purpose), "name": client.display_name,
             "number": str(client.pk)} for client in clients]
    purposes = [(p, describe.PURPOSES.get(p, p)) for p in offered]
    return render(request, "records/client_list.html", {
        "clients": clients, "rows": rows, "query": query, "purpose": purpose, "purposes": purposes,
        "next_after": clients[-1] if more else None, "purpose_label": describe.PURPOSES.get(purpose, purpose)})


@require_http_methods(["GET", "POST"])
def open_outside(request):
    """Open a file outside one's own cases, by number, for a stated purpose: the break-glass prompt.
    A refused file and a missing one get the same answer."""
    pack = current_policy()
    purposes = purposes_outside_own_cases(pack, role=request.user.role, has_team=request.user.team_id is not None)
    form = OpenOutsideForm(request.POST or None, purposes=purposes, known=pack.purposes)
    context = {"form": form, "no_purposes": not purposes}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, _glass = do_open_outside(request.user, data["client"], data["purpose"], data["reason"])
        except ReasonNeeded as needed:
            form.add_error("reason", f"This file is outside your work. Give your reason ({reason_rules.RULE}): "
                                     "opening it is recorded and reviewed by a manager.")
            context["clauses"] = needed.clauses
        except Http404:
            context["refused"] = True
        else:
            return redirect(with_purpose(reverse("web:client_file", args=[client.pk]), data["purpose"]))
    status = 400 if form.errors else (404 if context.get("refused") else 200)
    return render(request, "records/open_outside.html", context, status=status)


# The client file ----------------------------------------------------------------------------------

def _people(client) -> list[RelatedPerson]:
    return list(client.people.all())  # each one's `details` opened as it is shown


@require_GET
@asks_purpose
def client_file(request, client_id: int, *, purpose: str):
    grant = access_client(request.user, client_id, purpose)
    client = grant.client
    cases = [_case_row(case, purpose) for case in grant.cases]
    people = grant.related_people()
    for person in people:  # `person.details` opened only after the gate said yes
        person.relationship_label = _RELATIONSHIP_LABELS.get(person.relationship, person.relationship)
    names = {person.pk: person.details.get("name", "") for person in people}
    listed = grant.entries(100)
    changes = entry_changes(listed)  # who corrected each corrected entry last: one query, if any was
    entries = [_entry_row(grant, entry, names, purpose, changes) for entry in listed]
    contact = grant.safe_contact()
    safe = None
    if contact is not None:
        safe = {"details": safe_contact_details(contact), "contact": contact, "stale": needs_checking(contact)}
    return render(request, "records/client_file.html", {
        "limits": limits_views.file_panel(grant, purpose),
        "subject_access": sar_views.file_panel(request.user, grant),  # the client's requests for their records
        "grant": grant, "client": client, "cases": cases, "entries": entries, "people": people,
        "safe": safe, "purpose": purpose, "purpose_label": describe.PURPOSES.get(purpose, purpose),
        # Who the client is: date of birth and age, corrections and their history (issue 13).
        "identity": client_views.identity(grant, purpose),
        "print_url": with_purpose(_url("web:print_file", client.pk), purpose),
        "people_url": with_purpose(_url("web:related_people", client.pk), purpose),
        "safe_contact_url": with_purpose(_url("web:safe_contact", client.pk), purpose),
        "sharing_url": with_purpose(_url("web:sharing", client.pk), purpose),
        # The record of access is asked for with the same purpose, where it is one it takes.
        "record_url": (with_purpose(_url("web:record_of_access", client.pk), purpose)
                       if purpose in vocab.RECORD_OF_ACCESS_PURPOSES else None),
    })


# Adding entries ---------------------------------------------------------------------------------------

def _people_choices(client) -> list[tuple[int, str]]:
    return [(person.pk, f"{person.details.get('name', '')} ({person.get_relationship_display().lower()})")
            for person in _people(client)]


def _facts(form, client, *, default_categories=None) -> EntryFacts:
    data = form.cleaned_data
    chosen = {int(pk) for pk in data.get("about_people") or []}
    people = [person for person in client.people.all() if person.pk in chosen]
    return EntryFacts(categories=data.get("categories") or default_categories or ["case_notes"],
                      about_client=bool(data.get("about_client")), about_people=people,
                      source=data["source"], sealed=bool(data.get("sealed")), unsolicited=bool(data.get("unsolicited")),
                      contact_kind=data.get("contact_kind") or "", contact_on=data.get("contact_on"),
                      duration_minutes=data.get("duration_minutes"), next_contact_on=data.get("next_contact_on"))


def _marked(text: str, findings) -> list[tuple[str, object]]:
    """The text cut into plain and flagged pieces, for showing the flagged wording in place."""
    pieces, at = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < at:
            continue
        pieces.append((text[at:finding.start], None))
        pieces.append((text[finding.start:finding.end], finding))
        at = finding.end
    pieces.append((text[at:], None))
    return [(piece, finding) for piece, finding in pieces if piece]


def _written_entry(request, case_id: int, purpose: str, form_class, template: str, save):
    """Add a note or a risk assessment: the factual-wording check runs before anything is saved,
    and the writer either rephrases or confirms, which is recorded (DVIP 6.05/9.03, JustUs 3.7)."""
    grant, case = access_case_to_write(request.user, case_id, purpose, action=Action.CASE_WRITE)
    client = grant.client
    form = form_class(request.POST or None, people=_people_choices(client))
    context = {"form": form, "client": client, "case": case, "purpose": purpose,
               "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose)}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        findings = check_wording(current_policy(), text)
        if findings and not form.cleaned_data.get("confirm_wording"):
            context.update(findings=findings, marked=_marked(text, findings),
                           clauses=sorted({(f.clause, f.clause_text) for f in findings}))
            return render(request, template, context, status=200)
        facts = _facts(form, client)
        if findings:
            facts.wording_confirmed = {"clauses": sorted({f.clause for f in findings}), "passages": len(findings)}
        try:
            save(request.user, case, form.cleaned_data, facts)
        except AlreadySaved as saved:  # the same form sent again: nothing added, said calmly
            messages.info(request, saved.sentence())
            return redirect(context["file_url"])
        except EntryError as exc:
            add_to_form(form, exc)
        else:
            return redirect(context["file_url"])
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@asks_purpose
def add_note(request, case_id: int, *, purpose: str):
    return _written_entry(request, case_id, purpose, NoteForm, "records/add_note.html",
                          lambda user, case, data, facts: do_add_note(user, case, data["text"], facts,
                                                                      submission=data.get("submission")))


@require_http_methods(["GET", "POST"])
@asks_purpose
def add_risk_assessment(request, case_id: int, *, purpose: str):
    return _written_entry(request, case_id, purpose, RiskAssessmentForm, "records/add_risk_assessment.html",
                          lambda user, case, data, facts: do_add_risk_assessment(
                              user, case, data["text"], data["level"], facts, submission=data.get("submission")))


@require_http_methods(["GET", "POST"])
@asks_purpose
def add_document(request, case_id: int, *, purpose: str):
    grant, case = access_case_to_write(request.user, case_id, purpose, action=Action.CASE_WRITE)
    client = grant.client
    # An upload over the limit is never read (uploads are held in memory only, settings), so say
    # so plainly rather than "choose a file".
    too_big = request.method == "POST" and _content_length(request) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    form = DocumentForm(request.POST or None, None if too_big else (request.FILES or None),
                        people=_people_choices(client))
    context = {"form": form, "client": client, "case": case,
               "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose)}
    if too_big:
        form.is_valid()
        form.errors["file"] = form.error_class([f"That file is larger than {settings.UPLOAD_MAX_MB} MB."])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            do_add_document(request.user, case, upload.name[:200], upload.content_type, upload.read(),
                            form.cleaned_data["description"], _facts(form, client),
                            submission=form.cleaned_data.get("submission"))
        except AlreadySaved as saved:  # the same form sent again: nothing added, said calmly
            messages.info(request, saved.sentence())
            return redirect(context["file_url"])
        except EntryError as exc:
            add_to_form(form, exc)
        else:
            return redirect(context["file_url"])
    return render(request, "records/add_document.html", context, status=400 if form.errors else 200)


@require_GET
@asks_purpose
def download_document(request, entry_id: int, *, purpose: str):
    grant, entry, document = access_document(request.user, entry_id, purpose)
    content = document_content(grant.client.pk, document)
    if content is None:  # no longer readable (the client's key was destroyed): nothing to hand over
        raise Http404
    # Saved as "document-<number>": the original name would stay in the browser's download history.
    return attachment(content, document.content_type, f"document-{entry.pk}",
                      original=document_filename(grant.client.pk, document))


# Related people and safe contact ----------------------------------------------------------------------

def _client_for(request, client_id, purpose: str, *, read: Action, write: Action):
    """Through the gate: to read the page (GET), or to add to the file (POST)."""
    if request.method == "POST":
        return access_client_to_write(request.user, client_id, purpose, action=write)
    return access_client(request.user, client_id, purpose, action=read)


@require_http_methods(["GET", "POST"])
@asks_purpose
def related_people(request, client_id: int, *, purpose: str):
    grant = _client_for(request, client_id, purpose, read=Action.CLIENT_PEOPLE, write=Action.PERSON_ADD)
    client = grant.client
    form = RelatedPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        do_add_related_person(request.user, client, data["relationship"], data)
        return redirect(request.get_full_path())
    return render(request, "records/related_people.html", {
        "grant": grant, "client": client, "people": _people(client), "form": form, "purpose": purpose,
        "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose)},
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@asks_purpose
def safe_contact(request, client_id: int, *, purpose: str):
    grant = _client_for(request, client_id, purpose, read=Action.CLIENT_SAFE_CONTACT, write=Action.SAFE_CONTACT_CHANGE)
    client = grant.client
    contact = SafeContact.objects.filter(client=client).first()
    details = safe_contact_details(contact) if contact else {}
    form = SafeContactForm(request.POST or None, initial=details)
    file_url = with_purpose(reverse("web:client_file", args=[client.pk]), purpose)
    if request.method == "POST" and request.POST.get("action") == "confirm" and contact is not None:
        do_confirm_safe_contact(request.user, contact)
        return redirect(file_url)
    if request.method == "POST" and request.POST.get("action") != "confirm" and form.is_valid():
        do_set_safe_contact(request.user, client, form.cleaned_data)
        return redirect(file_url)
    return render(request, "records/safe_contact.html", {
        "grant": grant, "client": client, "details": details, "contact": contact, "form": form, "file_url": file_url},
        status=400 if form.errors else 200)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# Referrals and case stages -------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def new_referral(request):
    """Take a referral: a new client and their first case, with the person taking it as its worker."""
    pack = current_policy()
    services = [(name, service.label) for name, service in pack.services.items()]
    form = ReferralForm(request.POST or None, services=services, to_referral=pack.spec.consent.get("to_referral"),
                        to_support=pack.spec.consent.get("to_support"))
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["different_person"]:  # issue 13: a possible duplicate is offered first
            duplicates = access_possible_duplicates(request.user, data["name"], data["date_of_birth"])
            if duplicates:
                form.add_error(None, "A client with this name and date of birth may already be on Confide. "
                                     "Check below before you go on.")
    if request.method == "POST" and form.is_valid():
        try:
            case = do_take_referral(request.user, name=data["name"], service=data["service"],
                                    subject_role=data["subject_role"], date_of_birth=data["date_of_birth"],
                                    referral_consent=data.get("referral_consent"),
                                    support_consent=data.get("support_consent", ""),
                                    different_person=bool(data.get("different_person")))
        except CaseError as exc:
            add_to_form(form, exc)
        else:
            return redirect(reverse("web:client_file", args=[case.client_id]))
    matches = [{"name": client.display_name, "number": client.pk, "url": _url("web:client_file", client.pk)}
               for client in duplicates.listed] if duplicates else []
    return render(request, "records/new_referral.html", {
        "form": form, "duplicates": duplicates, "matches": matches,
        "offer_different": bool(duplicates) or bool(form.data.get("different_person"))},
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@asks_purpose
def change_case(request, case_id: int, *, purpose: str):
    grant, case = access_case_to_write(request.user, case_id, purpose, action=Action.CASE_WRITE)
    form = CaseForm(request.POST or None, initial={"status": case.status, "flags": case.flags})
    file_url = with_purpose(reverse("web:client_file", args=[grant.client.pk]), purpose)
    if request.method == "POST" and form.is_valid():
        held = ["legal_hold"] if "legal_hold" in case.flags else []  # kept as it is (not on this form)
        try:
            do_change_case(request.user, case, form.cleaned_data["status"], form.cleaned_data["flags"] + held)
        except CaseError as exc:
            add_to_form(form, exc)
        else:
            return redirect(file_url)
    case.service_label = describe.service(case.service)
    return render(request, "records/change_case.html", {"form": form, "case": case, "client": grant.client,
                                                         "file_url": file_url}, status=400 if form.errors else 200)
