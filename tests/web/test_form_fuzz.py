"""A standing fuzz over every form (issue 12 point 11): for each page that takes a POST (and the one
form sent by GET), Hypothesis fills the form's fields with odd text, dates, numbers, ids, several
values where one is expected, fields left out and fields nobody asked for, and posts it as the person
the page is for. Whatever arrives, the answer is a normal page: never a 500, never a traceback, and a
400 says what was wrong.

Each form's fields are read from the form the page itself renders (its Django form, from the
response's context), so a field added to a form is fuzzed without a change here. Every example runs
in its own savepoint (hypothesis.extra.django.TestCase), rolled back after it, so one example's
writes never reach the next. Bounded and derandomised: the same examples every run, so CI is not
flaky; the whole file runs in about half a minute on two cores (CONFIDE_FUZZ_EXAMPLES for a longer hunt).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyotp
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

import confide.accounts.forms
import confide.partners.forms
import confide.web.breach_forms
import confide.web.clearance_forms
import confide.web.client_views
import confide.web.complaint_forms
import confide.web.entry_views
import confide.web.forms
import confide.web.limits_forms
import confide.web.record_forms
import confide.web.report_forms
import confide.web.retention_forms
import confide.web.sar_forms
import confide.web.sharing_forms
import confide.web.staff_forms
import confide.web.staffing_forms
import confide.web.task_views
from confide.accounts.services import do_confirm_second_factor, do_issue_setup_code, new_totp_secret
from confide.accounts.sessions import PENDING_USER
from confide.accounts.views import PENDING_SECRET, PENDING_SINCE
from confide.partners.demo import do_seed_partners
from confide.records.access import access_client_to_write
from confide.records.break_glass import do_open_outside
from confide.records.models import Client
from confide.retention import services as retention_services
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_request_disclosure
from confide.sharing.models import Task
from confide.subject_access import access as sar_access
from confide.subject_access import services as sar_services
from confide.subject_access.models import SubjectAccessRequest
from tests.base import ConfideTestCase, add_fixtures, every_url_pattern, sharing_fixtures
from tests.harness_fixtures.governance import governance_fixtures

# Per page: enough to reach every kind of value, few enough to keep the file under a minute. A longer
# hunt: CONFIDE_FUZZ_EXAMPLES=500 .venv/bin/python -m pytest tests/web/test_form_fuzz.py
EXAMPLES = int(os.environ.get("CONFIDE_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

NORMAL = {200, 204, 302, 400, 403, 404, 405, 503}
MISSING = object()  # a field left out of the post altogether
PLAUSIBLE = "Met at the office on Monday; the next appointment was agreed."

# --- Values ------------------------------------------------------------------------------------------
# A browser never sends a lone surrogate (it cannot be encoded as UTF-8), so text leaves them out.
ODD_TEXT = ["", " ", "\t\n", "\x00", "a\x00b", "\u200f\u202eevil\u202c", "\u200b\u200c\u200d\ufeff",
            "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE records_client; --",
            "' OR '1'='1", "%s %(name)s {0} {{ x }}", "../../etc/passwd", "\r\n\r\n", "ﷺ𝕏🙂",
            "Ḑ̷̡a̸̛ţ̶a̵", "0", "-1", "None", "null", "true", "[]", "{}"]
LONG_TEXT = st.sampled_from("xé🙂").map(lambda ch: ch * 100_000)
plain_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
texts = st.one_of(plain_text, st.sampled_from(ODD_TEXT), LONG_TEXT)
ODD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "1850-06-01", "1899-12-31", "2200-01-01",
             "31/12/9999", "1 1 1", "00-00-0000", "99999-01-01", "-1-01-01", "2026-06-01T10:00", "yesterday",
             "٢٠٢٦-٠١-٠١", "2026-1-1", ""]
dates = st.one_of(st.sampled_from(ODD_DATES), st.dates().map(dt.date.isoformat),
                  st.dates().map(lambda d: f"{d.day} {d.month} {d.year}"), plain_text)
ODD_NUMBERS = ["0", "-1", "-0", str(2**31), str(2**63 - 1), str(2**63), str(2**64), "1e308", "-1e308", "NaN",
               "inf", "1.5", "0x10", "١٢٣", "9" * 5000, " 7 ", "+3", ""]
ODD_TIMES = ["25:00", "23:60", "24:00", "-1:00", "9", "0900", "9.00", "12:00:00", "01:30", "noon", "١٠:٠٠", ""]
times = st.one_of(st.sampled_from(ODD_TIMES), st.times().map(lambda t: t.strftime("%H:%M")), plain_text)
numbers = st.one_of(st.sampled_from(ODD_NUMBERS), st.integers().map(str), plain_text)
booleans = st.one_of(st.sampled_from(["on", "", "off", "false", "0", "1", "True", "no"]), plain_text)
emails = st.one_of(st.emails().map(str), st.sampled_from(["a@b", "@", "x" * 300 + "@example.org",
                                                          "name@example.org\r\nBcc: x@example.org"]), texts)
CONTENT_TYPES = ["text/plain", "application/pdf", "image/png", "application/x-msdownload", "", "text/html",
                 "../../x", "text/plain; charset=utf-8"]
# A browser escapes quotes and line breaks in a file's name; the test client does not, so leave them out
# (and "." and "..", which the test client cannot send as a file's name).
file_names = st.one_of(st.sampled_from(["letter.txt", "order.pdf", ".pdf", "a" * 300 + ".pdf", "x.exe",
                                        "\u202etxt.exe", "ünïcødé.png", "CON", "x\ty.txt"]),
                       st.text(st.characters(exclude_categories=("Cs",), exclude_characters='"\r\n\x00/\\'),
                               min_size=1, max_size=30).filter(lambda name: name not in (".", "..")))
files = st.builds(SimpleUploadedFile, file_names,
                  st.one_of(st.just(b""), st.binary(max_size=64), st.just(b"A plain letter.")),
                  st.sampled_from(CONTENT_TYPES))
field_names = st.one_of(st.sampled_from(["action", "purpose", "client", "csrfmiddlewaretoken", "id", "pk", "user",
                                         "role", "approved", "status", "__proto__", "q", "after_id", "link"]),
                        st.text("abcdefghijklmnopqrstuvwxyz_-.[]0123456789", min_size=1, max_size=20))


def ids_of(p: dict) -> list[str]:
    """Other people's ids and ids no record could have: every fixture's number, and the edges."""
    own = {str(v.pk) for v in p.values() if hasattr(v, "pk") and isinstance(v.pk, int)}
    return sorted(own) + ["0", "-1", str(2**63 - 1), str(2**63), str(2**64), "99999999", "1 OR 1=1", "abc", ""]


def kind_of(form_field: forms.Field) -> str:
    for cls, kind in ((forms.BooleanField, "bool"), (forms.MultipleChoiceField, "multi"),
                      (forms.ChoiceField, "choice"), (forms.DateField, "date"), (forms.TimeField, "time"),
                      (forms.IntegerField, "number"),
                      (forms.EmailField, "email"), (forms.FileField, "file"), (forms.CharField, "text")):
        if isinstance(form_field, cls):
            return kind
    raise AssertionError(f"a form field of a kind this fuzz does not know: {type(form_field).__name__}")


def flat_choices(choices) -> list[str]:
    out = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            out += [str(v) for v, _ in label]
        elif str(value):
            out.append(str(value))
    return out


@dataclass
class Field:
    kind: str
    valid: object            # what a person filling the form in sensibly would send (MISSING: nothing)
    choices: list[str] = field(default_factory=list)


def id_variants(value: str, junk_ids: list[str]) -> list[str]:
    """For a choice that names a record ("contact:12", "12"), the same with other ids in it."""
    prefix, _, number = value.rpartition(":")
    if not number.isdigit():
        return []
    return [f"{prefix}:{other}" if prefix else other for other in junk_ids]


def fuzz_value(f: Field, junk_ids: list[str]) -> st.SearchStrategy:
    if f.kind in ("choice", "multi"):
        junk = sorted({v for c in f.choices for v in id_variants(c, junk_ids)}) or junk_ids
        one = st.one_of(st.sampled_from(f.choices or [""]), st.sampled_from(junk), texts)
        return one if f.kind == "choice" else st.lists(one, min_size=0, max_size=4)
    return {"bool": booleans, "date": dates, "time": times, "number": st.one_of(numbers, st.sampled_from(junk_ids)),
            "email": emails, "file": st.one_of(files, texts), "text": texts}[f.kind]


@st.composite
def posts(draw, fields: dict[str, Field], junk_ids: list[str]) -> dict:
    """What is posted: every field sensible but one, or every field anything at all; then perhaps
    fields nobody asked for, and several values for one field."""
    names = sorted(fields)
    data = {name: f.valid for name, f in fields.items()}
    if names and draw(st.booleans()):
        name = draw(st.sampled_from(names))
        data[name] = draw(st.one_of(fuzz_value(fields[name], junk_ids), st.just(MISSING)))
    else:
        for name in names:
            data[name] = draw(st.one_of(st.just(fields[name].valid), fuzz_value(fields[name], junk_ids),
                                        st.just(MISSING)))
    if names and draw(st.booleans()):
        name = draw(st.sampled_from(names))
        data[name] = draw(st.lists(fuzz_value(fields[name], junk_ids), min_size=2, max_size=3))
    extra = draw(st.dictionaries(field_names, st.one_of(texts, st.lists(texts, max_size=3)), max_size=2))
    data.update({k: v for k, v in extra.items() if k not in fields})
    post = {}
    for name, value in data.items():
        if value is MISSING:
            continue
        post[name] = copy_file(value)
    return post


# --- The pages -----------------------------------------------------------------------------------------

@dataclass
class Target:
    """A page with a form: who posts it, the ids in its address (keys of FormFuzzTests.ids), where its
    forms are in the page's context, fields that are not in a Django form, and sensible values."""

    name: str
    who: str | None
    ids: dict = field(default_factory=dict)
    forms: tuple = ("form",)
    manual: dict = field(default_factory=dict)
    valid: dict = field(default_factory=dict)
    query: str = "purpose"   # the address's ?purpose=, fuzzed too ("" where the page takes none)
    method: str = "POST"
    classes: tuple = ()      # the form classes it posts, for the test that every form is fuzzed


W, R, S = confide.web.record_forms, confide.web.sharing_forms, confide.web.limits_forms
P, A = confide.partners.forms, confide.accounts.forms
C = confide.web.client_views
PHONE = "01632 960999"  # Ofcom's drama range: never a real number

TARGETS = [
    Target("web:client_list", "assigned", forms=(), query="", manual={
        "q": Field("text", "Zel"), "purpose": Field("choice", "direct_support", ["direct_support", "cover", "advice"]),
        "after_id": Field("number", MISSING)}),
    Target("web:open_outside", "same_team", query="", classes=(W.OpenOutsideForm,),
           valid={"client": "@other_client", "purpose": "emergency", "reason": "Covering the duty line; client rang."}),
    Target("web:new_referral", "assigned", query="", classes=(W.ReferralForm,),
           valid={"name": "Wilhelmina Testcase", "date_of_birth": "1 4 1990"}),
    Target("web:related_people", "assigned", {"client_id": "client"}, classes=(W.RelatedPersonForm,),
           valid={"name": "Bartholomew Example"}),
    Target("web:safe_contact", "assigned", {"client_id": "client"}, classes=(W.SafeContactForm,),
           manual={"action": Field("choice", MISSING, ["confirm", "change"])}, valid={"number": PHONE}),
    Target("web:limits", "assigned", {"client_id": "client"}, classes=(S.LimitsToldForm,),
           valid={"how": "signed", "copy_given": "on"}),
    Target("web:support_consent", "assigned", {"client_id": "client"}, classes=(S.SupportConsentForm,)),
    Target("web:change_case", "assigned", {"case_id": "case"}, classes=(W.CaseForm,)),
    Target("web:add_note", "assigned", {"case_id": "case"}, classes=(W.NoteForm,)),
    Target("web:add_risk_assessment", "assigned", {"case_id": "case"}, classes=(W.RiskAssessmentForm,)),
    Target("web:add_document", "assigned", {"case_id": "case"}, classes=(W.DocumentForm,),
           valid={"description": "Letter from the housing office"}),
    Target("web:review", "manager", {"glass_id": "glass"}, query="", classes=(W.ReviewForm,)),
    Target("web:new_consent", "assigned", {"client_id": "client"}, classes=(R.ConsentForm,),
           valid={"how": "written", "has_capacity": "on", "informed": "on", "free_from_duress": "on",
                  "recipients": "police", "purposes": "liaison", "expires_on": MISSING, "agencies": MISSING,
                  "given_by_name": MISSING}),
    Target("web:consent", "assigned", {"consent_id": "consent"}, classes=(R.WithdrawForm,)),
    Target("web:share", "assigned", {"client_id": "client"}, classes=(R.ShareForm,),
           manual={"request": Field("number", MISSING)}, valid={"callback_number": "01632 960200"}),
    Target("web:disclosure", "assigned", {"disclosure_id": "waiting"}, forms=("sent_form", "steps"),
           classes=(R.SentForm, R.StepForm), manual={
               "action": Field("choice", "step", ["step", "link", "sent", "revoke"]),
               "step": Field("choice", MISSING, []), "link": Field("number", MISSING)}),
    Target("web:disclosure", "assigned", {"disclosure_id": "ready"}, forms=("sent_form", "steps"),
           classes=(R.SentForm, R.StepForm), manual={
               "action": Field("choice", "link", ["step", "link", "sent", "revoke"]),
               "step": Field("choice", MISSING, []), "link": Field("number", MISSING)}),
    Target("web:disclosure", "assigned", {"disclosure_id": "phone"}, forms=("sent_form", "steps"),
           classes=(R.SentForm, R.StepForm), manual={
               "action": Field("choice", "sent", ["step", "link", "sent", "revoke"]),
               "step": Field("choice", MISSING, []), "link": Field("number", MISSING)}),
    Target("web:report", "assigned", {"client_id": "client"}, forms=("reports",),
           manual={"report": Field("choice", "", [])}),
    Target("web:new_request", "assigned", {"client_id": "client"}, classes=(R.IncomingForm,),
           valid={"how": "phone"}),
    Target("web:incoming", "assigned", {"request_id": "request"}, classes=(R.CallbackForm,),
           valid={"number": PHONE, "outcome": "confirmed"}),
    Target("web:approve", "manager", {"disclosure_id": "waiting"}, query="", classes=(R.DecideForm,),
           valid={"decision": "approve", "secret": "manager-password-1"}),
    Target("web:task", "assigned", {"task_id": "task"}, query="", classes=(R.TaskForm,)),
    Target("web:shared_download", None, {"token": "token", "entry_id": "note"}, forms=(), query=""),
    Target("web:record_of_access_lookup", "data_controller", forms=("form",), query="", method="GET",
           classes=(confide.web.forms.RecordLookupForm,), valid={"client": "@other_client"}),
    Target("web:file_lookup", "manager", forms=("form",), query="", method="GET",
           classes=(confide.web.forms.RecordLookupForm,), valid={"client": "@other_client"}),
    Target("partners:add_agency", "manager", query="", classes=(P.AgencyForm,),
           valid={"name": "Fernbrook Police Safeguarding Unit", "kind": "police", "known_phone": PHONE}),
    Target("partners:change_agency", "manager", {"agency_id": "agency"}, query="", classes=(P.ChangeAgencyForm,)),
    Target("partners:add_contact", "manager", {"agency_id": "agency"}, query="", classes=(P.ContactForm,),
           valid={"name": "Imogen Placeholder", "phone": PHONE, "email": "imogen@example.org"}),
    Target("partners:change_contact", "manager", {"contact_id": "contact"}, query="", classes=(P.ChangeContactForm,)),
    Target("partners:add_agreement", "manager", {"agency_id": "agency"}, query="", classes=(P.AgreementForm,),
           valid={"title": "Fernbrook protocol", "ends_on": MISSING}),
    Target("partners:end_agreement", "manager", {"agreement_id": "agreement"}, query="",
           classes=(P.EndAgreementForm,)),
    Target("accounts:login", None, forms=(A.PasswordForm,), query="", classes=(A.PasswordForm,),
           valid={"username": "assigned", "password": "assigned-password-1"}),
    # Setting up an authenticator app (the assigned worker has none yet), and using one (the data controller).
    Target("accounts:second_factor", "pending:assigned", forms=(A.SetUpForm,), query="", classes=(A.SetUpForm,),
           valid={"setup_code": "@setup", "code": "@totp"}),
    Target("accounts:second_factor", "pending:data_controller", forms=(A.CodeForm,), query="", classes=(A.CodeForm,),
           valid={"code": "@totp"}),
    Target("accounts:lock", "assigned", forms=(A.UnlockForm,), query="", classes=(A.UnlockForm,),
           valid={"password": "assigned-password-1"}),
    Target("accounts:keep_alive", "assigned", forms=(), query=""),
    Target("accounts:logout", "assigned", forms=(), query=""),
    # The client file's own pages (issue 13): correcting the name and date of birth, and the record of
    # access's filter (sent by GET).
    Target("web:correct_name", "assigned", {"client_id": "client"}, classes=(C.CorrectionForm,),
           valid={"new_value": "Zelda Quill-Feather", "reason": "The client spelled it for me today."}),
    Target("web:correct_date_of_birth", "assigned", {"client_id": "client"}, classes=(C.CorrectionForm,),
           valid={"new_value": "27 3 1985", "reason": "The client showed me her passport today."}),
    Target("web:record_of_access", "assigned", {"client_id": "client"}, query="", method="GET",
           classes=(C.AccessFilterForm,)),
    # Tasks and notices (issue 13, point 2): setting a task on a client's file; opening a notice, or all.
    Target("web:add_task", "assigned", {"client_id": "client"}, classes=(confide.web.task_views.AddTaskForm,)),
    Target("web:notices", "assigned", forms=(), query="", manual={
        "notice": Field("number", MISSING), "all": Field("text", MISSING)}),
]
# The administrator's staff pages (confide/web/staff_views.py); "staff" is the assigned worker's account.
F = confide.web.staff_forms
TARGETS += [
    Target("web:staff_list", "administrator", query="", method="GET", classes=(F.StaffSearchForm,)),
    Target("web:staff_add", "administrator", query="", classes=(F.AddStaffForm,),
           valid={"username": "p.fictional", "work_phone": PHONE, "password": "a long first password 42"}),
    Target("web:staff_change", "administrator", {"user_id": "staff"}, query="", classes=(F.ChangeStaffForm,),
           valid={"work_phone": PHONE}),
    Target("web:staff_member", "administrator", {"user_id": "staff"}, forms=(), query="",
           manual={"do": Field("choice", "setup_code", ["setup_code", "disable", "enable"])}),
    Target("web:organisation_settings", "administrator", query="", classes=(F.OrganisationForm,),
           valid={"phone": PHONE}),
]
# Correcting and moving an entry (confide/web/entry_views.py): the assigned worker wrote the note.
E = confide.web.entry_views
TARGETS += [
    Target("web:correct_entry", "assigned", {"entry_id": "note"}, classes=(E.CorrectEntryForm,),
           valid={"reason": "The date of the visit was wrong.", "text": "Met at the office on Tuesday."}),
    Target("web:move_entry", "assigned", {"entry_id": "note"}, classes=(E.MoveEntryForm,),
           valid={"reason": "Written in the wrong client's file."}),
]
# Subject-access requests (confide/web/sar_views.py): the data controller logs, records and compiles;
# the manager reviews and releases (the request "sar" was compiled by the data controller).
X = confide.web.sar_forms
SAR_DETAIL_FORMS = ("confirm_form", "ask_form", "answer_form", "extend_form", "search_form", "step_form",
                    "health_form", "withdraw_form")
TARGETS += [
    Target("web:sar_list", "data_controller", query="", method="GET", classes=(X.FindClientForm,),
           valid={"client": "@client"}),
    Target("web:sar_new", "data_controller", {"client_id": "client"}, query="", classes=(X.LogRequestForm,),
           valid={"identity_confirmed_on": MISSING, "authority_confirmed_on": MISSING, "representative_name": MISSING,
                  "representative_relationship": MISSING, "authority": MISSING}),
    Target("web:sar_detail", "data_controller", {"sar_id": "sar"}, forms=SAR_DETAIL_FORMS, query="",
           classes=(X.ConfirmForm, X.AskForm, X.AnswerForm, X.ExtendForm, X.SearchForm, X.ProcedureStepForm,
                    X.HealthOpinionForm, X.WithdrawRequestForm),
           manual={"action": Field("choice", "search", ["confirm", "ask", "answer", "extend", "search", "step",
                                                        "health", "withdraw"])}),
    Target("web:sar_compile", "data_controller", {"sar_id": "sar"}, forms=(), query="", classes=(X.CompileForm,),
           manual={"compile-version": Field("number", MISSING)}, valid={"compile-version": "@sar_version"}),
    Target("web:sar_review", "manager", {"sar_id": "sar"}, forms=("redactions_form", "item_form"), query="",
           classes=(X.RedactionsForm, X.ItemDecisionForm),
           manual={"action": Field("choice", "redactions", ["redactions", "item"])}),
    Target("web:sar_review", "data_controller", {"sar_id": "sar"}, forms=("add_form",), query="",
           classes=(X.AddRedactionForm,), manual={"action": Field("choice", "add_redaction", ["add_redaction"])},
           valid={"words": "the"}),  # in every item a file compiles to (notes, the record of access)
    Target("web:sar_release", "manager", {"sar_id": "sar"}, forms=(), query="", classes=(X.ReleaseForm,),
           manual={"release-version": Field("number", MISSING), "release-secret": Field("text", "manager-password-1")},
           valid={"release-version": "@sar_version"}),
]
# Retention (confide/web/retention_views.py): what falls due (a POST prepares a batch), a batch's approval
# and applying it, and legal holds placed and released ("batch" and "hold" are fixtures).
RF = confide.web.retention_forms
TARGETS += [
    Target("web:retention_due", "data_controller", forms=(), query=""),
    Target("web:retention_batch", "data_controller", {"batch_id": "batch"}, forms=("approve_form",), query="",
           classes=(RF.ApproveForm,), manual={"action": Field("choice", "approve", ["approve", "apply"])},
           valid={"approve-secret": "controller-password-1"}),
    Target("web:retention_batch", "manager", {"batch_id": "batch"}, forms=("apply_form",), query="",
           classes=(RF.ApplyForm,), manual={"action": Field("choice", "apply", ["approve", "apply"])},
           valid={"apply-confirm": "on"}),  # refused beside the form: the batch has no approvals yet
    Target("web:retention_holds", "data_controller", forms=("place_form",), query="", classes=(RF.PlaceHoldForm,),
           manual={"action": Field("choice", "place", ["place", "release"])},
           valid={"place-authority": "County court, claim K00XX001", "place-client": "@client"}),
    Target("web:retention_holds", "manager", forms=("release_form",), query="", classes=(RF.ReleaseHoldForm,),
           manual={"action": Field("choice", "release", ["place", "release"])}, valid={"hold": "@hold"}),
]
# Breaches and complaints (confide/web/breach_views.py, complaint_views.py): the data controller records
# and acts on them; each detail page's forms posted together, the hidden action choosing which is taken.
BF, CF = confide.web.breach_forms, confide.web.complaint_forms
BREACH_ACTIONS = ["reassess", "ico", "told", "charity", "findings", "refer", "close", "escalate"]
COMPLAINT_ACTIONS = ["acknowledge", "investigate", "outcome", "close"]
TARGETS += [
    Target("breaches:new", "data_controller", query="", classes=(BF.NewBreachForm,),
           valid={"aware_date": "@yesterday", "aware_time": "10:00",
                  "what_happened": "A letter went to the wrong flat.", "people_affected": "3", "client_ids": "",
                  "opened_from": MISSING}),
    Target("breaches:detail", "data_controller", {"breach_id": "breach"},
           forms=("ico_form", "told_form", "charity_form", "reassess_form", "findings_form", "refer_form", "close_form"),
           query="", classes=(BF.IcoForm, BF.ToldForm, BF.CharityForm, BF.ReassessForm, BF.FindingsForm, BF.ReferForm,
                              BF.CloseForm),
           manual={"action": Field("choice", "findings", BREACH_ACTIONS)}),
    Target("complaints:new", "data_controller", query="", classes=(CF.NewComplaintForm,),
           valid={"breach": MISSING}),
    Target("complaints:detail", "data_controller", {"complaint_id": "complaint"},
           forms=("acknowledge_form", "investigate_form", "outcome_form", "close_form"), query="",
           classes=(CF.AcknowledgeForm, CF.InvestigateForm, CF.OutcomeForm, CF.CloseComplaintForm),
           manual={"action": Field("choice", "acknowledge", COMPLAINT_ACTIONS)}),
]
# Staff records (confide/web/staffing_views.py): as tests/staffing/test_staffing_fuzz.py's STAFFING_TARGETS,
# which cannot be imported here (that module imports this one). The personnel file is the same-team
# worker's, the manager their line manager.
SF = confide.web.staffing_forms
FILE_ACTIONS = ["open", "set_line_manager", "leaving"]
SECTIONS = ["notes", "contact", "reference", "medical"]
TARGETS += [
    Target("staffing:files", "manager", forms=("open_form",), query="", classes=(SF.OpenFileForm,),
           manual={"action": Field("choice", "open", FILE_ACTIONS)},
           valid={"open-person": "@staff", "open-line_manager": "@manager_user"}),
    Target("staffing:files", "administrator", forms=("manager_form",), query="", classes=(SF.LineManagerForm,),
           manual={"action": Field("choice", "set_line_manager", FILE_ACTIONS)}),
    Target("staffing:files", "data_controller", forms=("leaving_form",), query="", classes=(SF.LeavingForm,),
           manual={"action": Field("choice", "leaving", FILE_ACTIONS)}),
    Target("staffing:file", "manager", {"file_id": "personnel_file"},
           forms=("notes_form", "contact_form", "reference_form"),
           classes=(SF.NoteForm, SF.ContactForm, SF.ReferenceForm),
           manual={"action": Field("choice", "notes", SECTIONS)}, valid={"notes-value": "Appraisal booked."}),
    Target("staffing:file", "data_controller", {"file_id": "personnel_file"}, forms=("medical_form",),
           classes=(SF.MedicalForm,), manual={"action": Field("choice", "medical", SECTIONS)}),
    Target("staffing:monitoring", "manager", query="", classes=(SF.MonitoringEntryForm,)),
    Target("staffing:applicants", "manager", query="", classes=(SF.ApplicationForm,),
           valid={"post": "Support worker", "name": "Hyacinth Ballantyne", "email": "hyacinth@example.org",
                  "phone": PHONE, "address": "4 Example Row, Exampleton", "application": "Ten years on a helpline."}),
    Target("staffing:applicant", "manager", {"applicant_id": "applicant"}, query="", classes=(SF.DecideForm,)),
    Target("staffing:contact_requests", "assigned", query="", classes=(SF.ContactRequestForm,),
           valid={"why": "They say they need to post a form to the worker."}),
    Target("staffing:contact_request", "manager", {"contact_request_id": "contact_request"}, query="",
           classes=(SF.ContactStepForm,)),
    # A request to read a personnel file with an approval: the manager's role decides the fixture's.
    Target("staffing:access_request", "manager", {"approval_id": "approval"}, query="",
           classes=(SF.DecideAccessForm,), valid={"decision": "approve"}),
]
# Fuzzed in another test module, on a pack where the page has something to post: the harness's DVIP
# gives nobody a personnel file with an approval (Home-Start 8.4 does).
ELSEWHERE = {SF.AskAccessForm: "tests/staffing/test_personnel_approvals.py, on Home-Start"}
ELSEWHERE_PAGES = {"staffing:access_requests": "tests/staffing/test_personnel_approvals.py, on Home-Start"}
# Declarations, induction and training (confide/web/clearance_views.py): one's own declarations, and the
# manager's register, whose four forms are posted together, the hidden action choosing which is taken.
K = confide.web.clearance_forms
TARGETS += [
    # (tests/base.py's people have signed every declaration already, so the sensible post is refused.)
    Target("clearance:mine", "assigned", forms=("sign_form",), query="", classes=(K.SignForm,),
           valid={"typed_name": "Ada Assigned"}),
    Target("clearance:register", "manager", forms=("induction_form", "training_form", "copy_form", "outside_form"),
           query="", classes=(K.InductionForm, K.TrainingForm, K.CopyForm, K.OutsideForm),
           manual={"action": Field("choice", "training", ["induction", "training", "copy", "outside"])}),
]
# Reports and case studies (confide/web/report_views.py): a manager drafts and releases a report; the
# assigned worker drafts a case study and records the client's consent, the manager reviews and releases.
RP = confide.web.report_forms
STUDY_ACTIONS = ["consent", "review", "release"]
TARGETS += [
    Target("reports:list", "manager", query="", classes=(RP.DraftReportForm,), valid={"quarter": "2026-Q2"}),
    Target("reports:settings", "manager", query="", classes=(RP.ThresholdForm,), valid={"threshold": "10"}),
    Target("reports:report", "manager", {"report_id": "draft_report"}, query="", classes=(RP.ReleaseReportForm,),
           valid={"secret": "manager-password-1"}),
    Target("reports:case_study_new", "assigned", query="", classes=(RP.CaseStudyForm,), valid={"case": "@case"}),
    Target("reports:case_study", "assigned", {"study_id": "study"}, forms=("consent_form",), query="",
           classes=(RP.ConsentForm,), manual={"action": Field("choice", "consent", STUDY_ACTIONS)}),
    Target("reports:case_study", "manager", {"study_id": "study"}, forms=("review_form",), query="",
           classes=(RP.ReviewForm,), manual={"action": Field("choice", "review", STUDY_ACTIONS)}),
    Target("reports:case_study", "manager", {"study_id": "reviewed_study"}, forms=("release_form",), query="",
           classes=(RP.ReleaseStudyForm,), manual={"action": Field("choice", "release", STUDY_ACTIONS)},
           valid={"release-confirm": "on"}),
]
BY_NAME = {}
for _target in TARGETS:
    BY_NAME.setdefault(_target.name, []).append(_target)

FORM_MODULES = (confide.web.forms, confide.web.record_forms, confide.web.sharing_forms, confide.web.limits_forms,
                confide.partners.forms, confide.accounts.forms, confide.web.client_views)
# Forms never posted on their own: their fields are posted through the forms built on them.
BASES = {W.EntryFactsForm: "the facts of every entry: posted as part of NoteForm, RiskAssessmentForm, DocumentForm"}
FORM_MODULES += (confide.web.staff_forms, confide.web.entry_views)
FORM_MODULES += (confide.web.sar_forms,)
FORM_MODULES += (confide.web.retention_forms,)
FORM_MODULES += (confide.web.breach_forms, confide.web.complaint_forms, confide.web.staffing_forms,
                 confide.web.clearance_forms, confide.web.report_forms)
BASES |= {BF.FactsFields: "a breach's facts: posted as part of NewBreachForm and ReassessForm",
          SF.MonitoringAnswers: "the monitoring answers: posted as part of MonitoringEntryForm and ApplicationForm"}
BASES |= {X.VersionedForm: "the request's version: posted as part of every subject-access form"}
BASES |= {F.RoleAndTeamMixin: "a person's role and team: posted as part of AddStaffForm and ChangeStaffForm",
          F.DetailsMixin: "a person's name and contact details: posted as part of AddStaffForm and ChangeStaffForm"}
SENTINEL = 4_611_686_018_427_387_903  # stands for an id in a reversed address
# A 400 names what was wrong: a summary with a message under its heading, or a message on a field.
ERROR_TEXT = re.compile(rb'class="error-summary"[^>]*>\s*<h2>[^<]+</h2>\s*(<ul>\s*<li>\s*(<a [^>]*>)?|<p>)\s*\w'
                        rb'|class="field-error"[^>]*>\s*<span class="visually-hidden">Error:</span>\s*\w')


class Fuzzing:
    """Posting a target's form, fuzzed, and checking the answer; for a test case with `ids()`."""

    # --- signing in, addresses, the form's fields ---

    def act_as(self, who: str | None):
        if who is None:
            return
        if who.startswith("pending:"):  # half signed in: the password was right, the second factor is next
            session = self.client.session
            session[PENDING_USER] = self.p[who.partition(":")[2]].pk
            session[PENDING_SINCE] = time.time()
            session[PENDING_SECRET] = self.totp_secret
            session.save()
        else:
            self.sign_in(who)

    def address(self, target: Target, path_ids: dict[str, str]) -> str:
        url = reverse(target.name, kwargs={k: SENTINEL if k != "token" else "TOKEN" for k in target.ids})
        for key, value in path_ids.items():
            url = url.replace("TOKEN" if key == "token" else str(SENTINEL), value, 1)
        return url

    def fields(self, target: Target) -> dict[str, Field]:
        """The form's fields as the page renders them (asked once, then kept), each with a sensible
        value; the target's own fields and values on top."""
        key = id(target)
        if key not in self.baselines:
            found = {}
            for form in self.forms_of(target):
                for name, form_field in form.fields.items():
                    kind = kind_of(form_field)
                    choices = flat_choices(form_field.choices) if kind in ("choice", "multi") else []
                    initial = form.initial.get(name, form_field.initial)
                    found[form.add_prefix(name)] = Field(kind, self.sensible(kind, initial, choices), choices)
            for name, manual in target.manual.items():
                found[name] = Field(manual.kind, manual.valid, list(manual.choices))
            ids = self.ids()
            for name, value in target.valid.items():
                if name in found:
                    # "@name": that fixture's number (or code), as FormFuzzTests.ids gives it
                    found[name].valid = str(ids[value[1:]]) if str(value).startswith("@") else value
            if "step" in found:  # the disclosure page's steps, each a form with its word as prefix
                words = sorted({name.split("-")[0] for name in found if "-" in name})
                found["step"].choices = words
                found["step"].valid = words[0] if words else MISSING
                for name in found:
                    if name.endswith("-note"):
                        found[name].valid = PLAUSIBLE
            self.baselines[key] = found
        return self.baselines[key]

    def forms_of(self, target: Target) -> list[forms.Form]:
        if target.forms and isinstance(target.forms[0], type):
            return [cls() for cls in target.forms]  # the sign-in pages: asked for without a session
        if not target.forms:
            return []
        self.act_as(target.who)
        ids = self.ids()
        response = self.client.get(self.address(target, {k: str(ids[v]) for k, v in target.ids.items()}))
        self.assertEqual(response.status_code, 200, f"{target.name} opens for {target.who}")
        found = []
        for key in target.forms:
            if key == "reports":  # not a Django form: the reports the pack asks for, each a button
                target.manual["report"].choices = [name for name, _label in response.context["reports"]]
                target.manual["report"].valid = (target.manual["report"].choices or [""])[0]
            elif key == "steps":
                found += [step["form"] for step in response.context["steps"] if step["form"] is not None]
            else:
                found.append(response.context[key])
        for form in found:
            self.assertIsInstance(form, tuple(c for c in target.classes), f"{target.name}: {type(form).__name__}")
        return found

    @staticmethod
    def sensible(kind: str, initial, choices: list[str]):
        if kind == "bool":
            return "on" if initial is True else MISSING
        if kind == "multi":
            return [str(v) for v in initial] if initial else choices[:1]
        if kind == "choice":
            return str(initial) if initial not in (None, "") else (choices[0] if choices else "")
        if kind == "date":
            return (initial or timezone.localdate()).isoformat()
        if kind == "time":
            return (initial or dt.time(9, 30)).strftime("%H:%M")
        if kind == "file":
            return SimpleUploadedFile("letter.txt", b"A plain letter.", "text/plain")
        if kind == "email":
            return str(initial) if initial else "duty@example.org"
        if kind == "number":
            return str(initial) if initial else MISSING
        return str(initial) if initial else PLAUSIBLE

    # --- the check ---

    def check(self, target: Target, data, path_ids: dict[str, str] | None = None, query: str = ""):
        ids = self.ids()
        path = path_ids or {k: str(ids[v]) for k, v in target.ids.items()}
        self.act_as(target.who)
        url = self.address(target, path) + query
        if target.method == "GET":
            response = self.client.get(url, data)
        else:
            response = self.client.post(url, data)
        where = f"{target.who} {target.method} {target.name} {url[:80]} -> {response.status_code}"
        self.assert_normal(where, response.status_code, response.getvalue(), [t.name for t in response.templates])
        return response

    def assert_normal(self, where: str, status: int, content: bytes, templates: list[str]):
        self.assertIn(status, NORMAL, where)
        self.assertNotIn(b"Traceback", content, where)
        if status == 400:
            names_problem = ERROR_TEXT.search(content) is not None or "web/error.html" in templates
            self.assertTrue(names_problem, f"{where}: a 400 that does not say what was wrong: "
                                           f"{problems(content)} {content[-3000:]!r}")

    def fuzz(self, target: Target, data: st.DataObject):
        ids = self.ids()
        fields = self.fields(target)
        junk = ids_of(self.p) + [str(v) for v in ids.values()]
        path = {k: str(ids[v]) for k, v in target.ids.items()}
        if target.ids and data.draw(st.integers(0, 4), label="fuzz the address") == 0:
            key = data.draw(st.sampled_from(sorted(path)), label="id in the address")
            path[key] = data.draw(st.sampled_from([j for j in junk if j.isdigit()] if key != "token"
                                                  else ["x", "A" * 500, ids["token"][:-1], "%00", "..", "🙂"]))
        query = ""
        if target.query and data.draw(st.integers(0, 3), label="fuzz the purpose") == 0:
            purpose = data.draw(st.one_of(st.sampled_from(["cover", "audit", "emergency", "", "x" * 2000]), plain_text))
            query = "?" + urlencode({"purpose": purpose})
        self.check(target, data.draw(posts(fields, junk), label="posted"), path, query)


class FormFuzzTests(Fuzzing, HypothesisTestCase, ConfideTestCase):
    targets = TARGETS

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.p
        p.update(add_fixtures(p))
        # A victim: DVIP has a statement of limits for her (Appendix B), told three ways, and her consent
        # must be written (2.02), so more of the sharing pages' paths are open to the fuzz.
        Client.objects.filter(pk=p["client"].pk).update(subject_role="victim")
        p["client"].refresh_from_db()
        _client, cls.glass = do_open_outside(p["same_team"], p["other_client"].pk, "emergency",
                                             "Client rang in crisis; worker on leave.")
        cls.partners = do_seed_partners(p["manager"])
        cls.sharing = sharing_fixtures(p)["ids"]
        # A request approved to go by telephone: the page's "record that it was sent" form, and its steps.
        grant = access_client_to_write(p["assigned"], p["client"].pk, "direct_support", action="client.sharing.write")
        cls.phone = do_request_disclosure(p["assigned"], p["pack"], grant, p["case"], Asked(
            recipient=Recipient(kind="social_services", name="Duty desk"), entries=[p["note"]],
            purpose="child_protection", channel="phone", grounds=["child_at_risk_of_significant_harm"],
            reason="Concerns raised at the visit."))
        do_decide(p["manager"], cls.phone.pk, "approve", "Threshold met, share now.", "manager-password-1")
        cls.setup_code = do_issue_setup_code(p["assigned"])
        cls.totp_secret = new_totp_secret()
        controller = p["data_controller"]
        outcome = do_confirm_second_factor(controller, cls.totp_secret, do_issue_setup_code(controller),
                                        pyotp.TOTP(cls.totp_secret).now())
        assert outcome == "ok", outcome
        grant = sar_access.access_sar_client(controller, p["client"].pk)
        sar = sar_services.do_log_request(controller, grant, sar_services.Received(received_on=timezone.localdate(),
                                                                                   made="writing"))
        grant, sar = sar_access.access_sar_to_compile(controller, sar.pk)
        cls.sar = sar_services.do_compile(controller, grant, sar, sar.version)
        cls.batch = retention_services.do_prepare_batch(timezone.localdate(), controller)
        cls.hold = retention_services.do_place_hold(controller, "litigation", "County court, claim K00XX001",
                                                    p["other_client"].pk)
        # Breaches, a complaint, staff records, a signed copy, reports and case studies.
        cls.g = governance_fixtures(p)
        cls.baselines: dict = {}

    def ids(self) -> dict:
        p, s, g = self.p, self.sharing, self.g
        return {"client": p["client"].pk, "other_client": p["other_client"].pk, "case": p["case"].pk,
                "note": p["note"].pk, "glass": self.glass.pk, "agency": self.partners["police"].pk,
                "contact": self.partners["detective"].pk, "agreement": self.partners["police_agreement"].pk,
                "consent": s["consent_id"], "waiting": s["disclosure_id"], "phone": self.phone.pk, "request": s["request_id"],
                "task": s["task_id"], "ready": Task.objects.get(pk=s["task_id"]).disclosure_id, "token": s["token"],
                "setup": self.setup_code, "totp": pyotp.TOTP(self.totp_secret).now(), "staff": p["assigned"].pk,
                "manager_user": p["manager"].pk, "yesterday": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
                "sar": self.sar.pk, "sar_version": SubjectAccessRequest.objects.get(pk=self.sar.pk).version,
                "batch": self.batch.pk, "hold": self.hold.pk,
                **{name: g[name].pk for name in ("breach", "complaint", "personnel_file", "applicant", "contact_request",
                                                 "signature", "draft_report", "study", "reviewed_study",
                                                 "approval")}}

    # --- that every form and every page taking a POST is fuzzed ---

    def test_every_form_is_fuzzed(self):
        fuzzed = {cls for target in TARGETS for cls in target.classes}
        for module in FORM_MODULES:
            for name, cls in vars(module).items():
                if isinstance(cls, type) and issubclass(cls, forms.Form) and cls.__module__ == module.__name__:
                    self.assertTrue(cls in fuzzed or cls in BASES or cls in ELSEWHERE,
                                    f"{module.__name__}.{name} is not fuzzed")

    def test_every_page_that_takes_a_post_is_fuzzed(self):
        # Every other page answers a POST with 405, whoever sends it.
        for name, pattern in every_url_pattern():
            if name in BY_NAME or name in ELSEWHERE_PAGES:
                continue
            kwargs = {key: 1 for key in pattern.pattern.converters}
            for who in ("assigned", "manager"):
                self.sign_in(who)
                response = self.client.post(reverse(name, kwargs=kwargs), {"text": PLAUSIBLE})
                self.assertEqual(response.status_code, 405, f"{name} takes a POST from {who}: fuzz it here")

    def test_the_check_fails_on_a_page_that_fails(self):
        # A server error, a traceback, and a 400 with no word of what was wrong are all caught; a 400
        # that names the problem passes.
        for status, body in ((500, b"<h1>Something went wrong</h1>"), (200, b"Traceback (most recent call last):"),
                             (400, b"<p>Bad.</p>"), (400, b'<div class="error-summary" role="alert"><h2>There is a problem</h2><ul></ul></div>')):
            with self.subTest(status=status, body=body), self.assertRaises(AssertionError):
                self.assert_normal("a page", status, body, [])
        self.assert_normal("a page", 400, b'<div class="error-summary" role="alert"><h2>There is a problem</h2>'
                                          b'<ul><li><a href="#id_on">Enter the date.</a></li></ul></div>', [])
        self.assert_normal("a page", 400, b"<h1>Not right</h1>", ["web/base.html", "web/error.html"])

    def test_the_sensible_post_is_taken(self):
        # The fuzz starts from what a person would send: for each page, that is a normal answer, and for
        # pages where it should save, it saves (a redirect), so the fuzz reaches past the form.
        saves = {"web:related_people", "web:safe_contact", "web:change_case", "web:add_note", "web:add_document",
                 "web:new_referral", "web:new_request", "partners:add_agency", "partners:add_contact",
                 "partners:change_contact", "partners:change_agency", "accounts:login", "web:open_outside",
                 "web:review", "web:task", "web:incoming", "web:approve", "web:add_task",
                 "web:sar_list", "web:sar_new", "web:sar_detail", "web:sar_review",
                 "web:retention_due", "web:retention_holds",
                 # The governance pages: breaches, complaints, staff records, declarations, reports.
                 "breaches:new", "breaches:detail", "complaints:new", "complaints:detail", "staffing:files",
                 "staffing:file", "staffing:monitoring", "staffing:applicants", "staffing:applicant",
                 "staffing:contact_requests", "staffing:contact_request", "staffing:access_request",
                 "clearance:register",
                 "reports:list", "reports:settings", "reports:report", "reports:case_study_new", "reports:case_study"}
        for target in TARGETS:
            # Each from the fixtures as made (one target's save, such as a personnel file's new line
            # manager, would otherwise shut the next target's page), as each fuzz example is.
            atomics = self._enter_atomics()  # as hypothesis.extra.django does for each example
            try:
                with self.subTest(target.name):
                    fields = self.fields(target)
                    data = {name: copy_file(f.valid) for name, f in fields.items() if f.valid is not MISSING}
                    response = self.check(target, data)
                    if target.name in saves:
                        self.assertEqual(response.status_code, 302, f"{target.name}: {problems(response.content)}")
                    self.client.logout()
            finally:
                self._rollback_atomics(atomics)


def problems(content: bytes) -> list[str]:
    """The messages on a page with errors, for a failure's message."""
    return [re.sub(r"<[^>]+>", "", m).strip() for m in
            re.findall(r'class="(?:field-error|error-summary)"[^>]*>(.*?)</(?:span|div)>', content.decode(), re.S)]


def copy_file(value):
    if isinstance(value, SimpleUploadedFile):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), value.content_type)
    return value


REFERRAL = Target("web:new_referral", "assigned", query="", classes=(W.ReferralForm,),
                  valid={"name": "Wilhelmina Testcase", "date_of_birth": "1 4 1990"})
LIMITS = Target("web:limits", "assigned", {"client_id": "client"}, classes=(S.LimitsToldForm,))


class PackFuzzing(Fuzzing, HypothesisTestCase, ConfideTestCase):
    """The forms whose fields a pack changes, under the packs that change them (the test cases below)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.baselines = {}

    def ids(self) -> dict:
        return {"client": self.p["client"].pk, "case": self.p["case"].pk, "note": self.p["note"].pk}

    def assert_referral_asks(self, name: str):
        self.assertIn(name, self.fields(REFERRAL), "the fuzz posts the field the pack adds")


class JustUsFormFuzzTests(PackFuzzing):
    """JustUs asks for consent to support at intake (5.5), and has a page to record it."""

    pack_name = "justus"
    targets = [REFERRAL, LIMITS,
               Target("web:support_consent", "assigned", {"client_id": "client"}, classes=(S.SupportConsentForm,))]

    def test_the_referral_form_asks_for_consent_to_support(self):
        self.assert_referral_asks("support_consent")


class HomeStartFormFuzzTests(PackFuzzing):
    """Home-Start takes a referral only with the family's consent (7.1)."""

    pack_name = "home_start"
    targets = [REFERRAL, LIMITS]

    def test_the_referral_form_asks_for_the_familys_consent(self):
        self.assert_referral_asks("referral_consent")


def _fuzz_test(target: Target):
    @FUZZ
    @given(data=st.data())
    def test(self, data):
        self.fuzz(target, data)
        self.client.logout()

    return test


def add_fuzz_tests(cls) -> None:
    """A test for each of the class's targets (set on the class itself: a subclass has its own)."""
    for target in cls.__dict__["targets"]:
        name = re.sub(r"\W+", "_", "_".join(["test_fuzz", target.name, *sorted(target.ids.values()), target.who or "anyone"]))
        assert not hasattr(cls, name), f"two targets named {name}"
        setattr(cls, name, _fuzz_test(target))


for _cls in (FormFuzzTests, JustUsFormFuzzTests, HomeStartFormFuzzTests):
    add_fuzz_tests(_cls)
