"""The audit log's vocabulary: every action record_event() may write, each with the plain-English
label the record of access shows. Pure: imports nothing from the rest of Confide.

Actions are a StrEnum, so an event stores (and hashes) exactly the string it always did.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """One thing a person (or Confide) did that the audit log records."""

    CLIENT_READ = "client.read"
    CLIENT_READ_REFUSED = "client.read.refused"
    CLIENT_RECORD_OF_ACCESS = "client.record_of_access"
    CLIENT_RECORD_OF_ACCESS_REFUSED = "client.record_of_access.refused"
    CLIENT_OPEN_OUTSIDE = "client.open_outside"
    CLIENT_OPEN_OUTSIDE_REFUSED = "client.open_outside.refused"
    CLIENT_BREAK_GLASS = "client.break_glass"
    CLIENT_PEOPLE = "client.people"
    CLIENT_PEOPLE_REFUSED = "client.people.refused"
    CLIENT_SAFE_CONTACT = "client.safe_contact"
    CLIENT_SAFE_CONTACT_REFUSED = "client.safe_contact.refused"
    CASE_WRITE = "case.write"
    CASE_WRITE_REFUSED = "case.write.refused"
    DOCUMENT_DOWNLOAD = "document.download"
    DOCUMENT_DOWNLOAD_REFUSED = "document.download.refused"
    DOCUMENT_DOWNLOAD_FILE = "document.download.file"
    DOCUMENT_DOWNLOAD_FILE_REFUSED = "document.download.file.refused"
    NOTE_ADDED = "note.added"
    CASE_REFERRAL_TAKEN = "case.referral_taken"
    CASE_CHANGED = "case.changed"
    RISK_ASSESSMENT_ADDED = "risk_assessment.added"
    DOCUMENT_ADDED = "document.added"
    PERSON_ADDED = "person.added"
    SAFE_CONTACT_UPDATED = "safe_contact.updated"
    SAFE_CONTACT_CONFIRMED = "safe_contact.confirmed"
    BREAK_GLASS_READ = "break_glass.read"
    BREAK_GLASS_REVIEWED = "break_glass.reviewed"
    CLIENTS_LISTED = "clients.listed"
    CLIENT_SHARING = "client.sharing"
    CLIENT_SHARING_REFUSED = "client.sharing.refused"
    CLIENT_SHARING_WRITE = "client.sharing.write"
    CLIENT_SHARING_WRITE_REFUSED = "client.sharing.write.refused"
    CONSENT_RECORDED = "consent.recorded"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    CONSENT_READ = "consent.read"
    CONSENT_READ_REFUSED = "consent.read.refused"
    CONSENT_WRITE = "consent.write"
    CONSENT_WRITE_REFUSED = "consent.write.refused"
    CLIENT_LIMITS = "client.limits"
    CLIENT_LIMITS_REFUSED = "client.limits.refused"
    LIMITS_RECORD = "limits.record"
    LIMITS_RECORD_REFUSED = "limits.record.refused"
    LIMITS_RECORDED = "limits.recorded"
    LIMITS_READ = "limits.read"
    LIMITS_READ_REFUSED = "limits.read.refused"
    CLIENT_SUPPORT_CONSENT = "client.support_consent"
    CLIENT_SUPPORT_CONSENT_REFUSED = "client.support_consent.refused"
    SUPPORT_CONSENT_RECORD = "support_consent.record"
    SUPPORT_CONSENT_RECORD_REFUSED = "support_consent.record.refused"
    SUPPORT_CONSENT_RECORDED = "support_consent.recorded"
    DISCLOSURE_REQUESTED = "disclosure.requested"
    DISCLOSURE_REFUSED_BY_POLICY = "disclosure.refused_by_policy"
    DISCLOSURE_READ = "disclosure.read"
    DISCLOSURE_READ_REFUSED = "disclosure.read.refused"
    DISCLOSURE_WRITE = "disclosure.write"
    DISCLOSURE_WRITE_REFUSED = "disclosure.write.refused"
    DISCLOSURE_APPROVAL_VIEW = "disclosure.approval_view"
    DISCLOSURE_APPROVED = "disclosure.approved"
    DISCLOSURE_DECLINED = "disclosure.declined"
    DISCLOSURE_STEP_RECORDED = "disclosure.step_recorded"
    DISCLOSURE_SENT = "disclosure.sent"
    DISCLOSURE_LINK_MADE = "disclosure.link_made"
    DISCLOSURE_LINK_REVOKED = "disclosure.link_revoked"
    DISCLOSURE_LINK_OPENED = "disclosure.link_opened"
    DISCLOSURE_LINK_OPENED_REFUSED = "disclosure.link_opened.refused"
    DISCLOSURE_DOWNLOADED = "disclosure.downloaded"
    DISCLOSURE_DOWNLOADED_REFUSED = "disclosure.downloaded.refused"
    DISCLOSURE_STOPPED = "disclosure.stopped"
    TASKS_CREATED = "tasks.created"
    TASK_CREATED = "task.created"
    TASK_READ = "task.read"
    TASK_FINISHED = "task.finished"
    REQUEST_LOGGED = "request.logged"
    REQUEST_CALLED_BACK = "request.called_back"
    REQUEST_READ = "request.read"
    REQUEST_READ_REFUSED = "request.read.refused"
    REQUEST_WRITE = "request.write"
    REQUEST_WRITE_REFUSED = "request.write.refused"
    REPORT_MADE = "report.made"
    CONSENTS_EXPIRING_LISTED = "consents.expiring_listed"
    APPROVALS_LISTED = "approvals.listed"
    TASKS_LISTED = "tasks.listed"
    OWN_REQUESTS_LISTED = "disclosures.own_listed"
    CONSENT_FORM_VERSION_CREATED = "consent_form.version_created"
    CLIENTS_SEARCHED = "clients.searched"
    PERSON_ADD = "person.add"
    PERSON_ADD_REFUSED = "person.add.refused"
    SAFE_CONTACT_CHANGE = "safe_contact.change"
    SAFE_CONTACT_CHANGE_REFUSED = "safe_contact.change.refused"
    BREAK_GLASS_READ_REFUSED = "break_glass.read.refused"
    DISCLOSURE_APPROVAL_VIEW_REFUSED = "disclosure.approval_view.refused"
    TASK_READ_REFUSED = "task.read.refused"
    TASKS_NOT_TOLD = "tasks.not_told"
    TASK_ADDED = "task.added"
    TEAM_OVERDUE_LISTED = "tasks.team_overdue_listed"
    NOTICE_READ = "notice.read"
    NOTICES_ALL_READ = "notices.all_read"
    NOTICES_CONSENT_ENDING = "notices.consent_ending"
    NOTICES_EMAILED = "notices.emailed"
    SAR_LOGGED = "subject_access.logged"
    SAR_CHANGED = "subject_access.changed"
    SAR_READ = "subject_access.read"
    SAR_READ_REFUSED = "subject_access.read.refused"
    SAR_WRITE = "subject_access.write"
    SAR_WRITE_REFUSED = "subject_access.write.refused"
    SAR_FILE = "subject_access.file"
    SAR_FILE_REFUSED = "subject_access.file.refused"
    SAR_COMPILED = "subject_access.compiled"
    SAR_ITEM_DECIDED = "subject_access.item_decided"
    SAR_REDACTION_DECIDED = "subject_access.redaction_decided"
    SAR_RELEASED = "subject_access.released"
    SAR_RELEASE_REFUSED = "subject_access.release.refused"
    SAR_DOWNLOAD = "subject_access.download"
    SAR_DOWNLOAD_REFUSED = "subject_access.download.refused"
    SAR_DRAFTED = "subject_access.drafted"
    SAR_DRAFTED_REFUSED = "subject_access.drafted.refused"
    SAR_WITHDRAWN = "subject_access.withdrawn"
    SARS_LISTED = "subject_access.listed"
    USER_CREATED = "user.created"
    USER_PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (an action, not a password)
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    USER_DETAILS_CHANGED = "user.details_changed"
    ORGANISATION_CHANGED = "organisation.changed"
    DEMO_CREATED = "demo.created"
    AGENCY_ADDED = "agency.added"
    AGENCY_CHANGED = "agency.changed"
    AGENCY_CONTACT_ADDED = "agency_contact.added"
    AGENCY_CONTACT_CHANGED = "agency_contact.changed"
    AGREEMENT_ADDED = "agreement.added"
    AGREEMENT_ENDED = "agreement.ended"
    SESSION_LOCKED = "session.locked"
    SESSION_UNLOCKED = "session.unlocked"
    SESSIONS_ENDED = "sessions.ended"
    LOGIN_FAILED = "login.failed"
    LOGIN_REFUSED_LOCKED = "login.refused_locked"
    LOGIN_PASSWORD_OK = "login.password_ok"  # noqa: S105 (an action, not a password)
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGOUT = "logout"
    ACCOUNT_LOCKED_OUT = "account.locked_out"
    SECOND_FACTOR_SETUP_CODE_ISSUED = "second_factor.setup_code_issued"
    SECOND_FACTOR_SETUP_FAILED = "second_factor.setup_failed"
    SECOND_FACTOR_SETUP_REFUSED = "second_factor.setup_refused"
    SECOND_FACTOR_SET_UP = "second_factor.set_up"
    SECOND_FACTOR_FAILED = "second_factor.failed"
    APPROVAL_IDENTITY_CONFIRMED = "approval.identity_confirmed"
    DISCLOSURE_APPROVAL_WORDS = "disclosure.approval_words"
    ENTRY_CHANGE = "entry.change"
    ENTRY_CHANGE_REFUSED = "entry.change.refused"
    ENTRY_CORRECTED = "entry.corrected"
    ENTRY_MOVED_OUT = "entry.moved_out"
    ENTRY_MOVED_IN = "entry.moved_in"
    ENTRY_HISTORY = "entry.history"
    ENTRY_HISTORY_REFUSED = "entry.history.refused"
    ENTRY_HISTORY_FILE = "entry.history.file"
    ENTRY_HISTORY_FILE_REFUSED = "entry.history.file.refused"
    CLIENT_IDENTITY_CORRECT = "client.identity_correct"
    CLIENT_IDENTITY_CORRECT_REFUSED = "client.identity_correct.refused"
    CLIENT_IDENTITY_CORRECTED = "client.identity_corrected"
    CLIENT_FILE_PRINTED = "client.file_printed"
    CLIENT_FILE_PRINTED_REFUSED = "client.file_printed.refused"
    CLIENTS_DUPLICATE_CHECKED = "clients.duplicate_checked"
    RETENTION_RECOMPUTED = "retention.recomputed"
    RETENTION_HOLD_PLACED = "retention.hold_placed"
    RETENTION_HOLD_RELEASED = "retention.hold_released"
    RETENTION_BATCH_PREPARED = "retention.batch_prepared"
    RETENTION_BATCH_APPROVED = "retention.batch_approved"
    RETENTION_BATCH_APPLIED = "retention.batch_applied"
    RETENTION_DESTROYED = "retention.destroyed"
    RETENTION_RETURNED = "retention.returned"
    RETENTION_REPLAYED = "retention.replayed"
    RETENTION_MINIMISED = "retention.minimised"
    BACKUP_MADE = "backup.made"
    BACKUP_RESTORED = "backup.restored"
    DECLARATION_SIGNED = "declaration.signed"
    DECLARATION_COPY_UPLOADED = "declaration.copy_uploaded"
    DECLARATION_COPY_DOWNLOADED = "declaration.copy_downloaded"
    DECLARATION_COPY_DOWNLOADED_REFUSED = "declaration.copy_downloaded.refused"
    DECLARATION_OUTSIDE_SIGNED = "declaration.outside_signed"
    INDUCTION_RECORDED = "induction.recorded"
    TRAINING_RECORDED = "training.recorded"
    CLEARANCE_REFUSED = "clearance.refused"
    CLEARANCE_DEMO_SIGNED = "clearance.demo_signed"

    # Staff and volunteer records (issue 16: confide/staffing, personnel files, applicants, monitoring, 5.01).
    PERSONNEL_READ = "personnel.read"
    PERSONNEL_READ_REFUSED = "personnel.read.refused"
    PERSONNEL_MEDICAL_READ = "personnel.medical.read"
    PERSONNEL_MEDICAL_READ_REFUSED = "personnel.medical.read.refused"
    PERSONNEL_LISTED = "personnel.listed"
    PERSONNEL_FILE_OPENED = "personnel.file_opened"
    PERSONNEL_UPDATED = "personnel.updated"
    PERSONNEL_UPDATED_REFUSED = "personnel.updated.refused"
    PERSONNEL_LINE_MANAGER_SET = "personnel.line_manager_set"
    PERSONNEL_LEFT = "personnel.left"
    PERSONNEL_DESTROYED = "personnel.destroyed"
    MONITORING_RECORDED = "monitoring.recorded"
    MONITORING_COUNTED = "monitoring.counted"
    APPLICANT_RECORDED = "applicant.recorded"
    APPLICANT_DECIDED = "applicant.decided"
    APPLICANT_READ = "applicant.read"
    APPLICANT_READ_REFUSED = "applicant.read.refused"
    APPLICANTS_LISTED = "applicants.listed"
    APPLICANT_MINIMISED = "applicant.minimised"
    CONTACT_REQUEST_LOGGED = "contact_request.logged"
    CONTACT_REQUEST_PASSED = "contact_request.passed"
    CONTACT_REQUEST_ANSWERED = "contact_request.answered"
    CONTACT_REQUEST_GIVEN = "contact_request.given"
    CONTACT_REQUEST_READ = "contact_request.read"
    CONTACT_REQUEST_READ_REFUSED = "contact_request.read.refused"
    CONTACT_REQUESTS_LISTED = "contact_requests.listed"
    PERSONNEL_ACCESS_ASKED = "personnel.access_asked"
    PERSONNEL_ACCESS_ASKED_REFUSED = "personnel.access_asked.refused"
    PERSONNEL_ACCESS_DECIDED = "personnel.access_decided"
    PERSONNEL_APPROVAL_READ = "personnel.approval.read"
    PERSONNEL_APPROVAL_READ_REFUSED = "personnel.approval.read.refused"

    BREACH_RECORDED = "breach.recorded"
    BREACH_RECORDED_REFUSED = "breach.recorded.refused"
    BREACH_READ = "breach.read"
    BREACH_READ_REFUSED = "breach.read.refused"
    BREACH_WRITE = "breach.write"
    BREACH_WRITE_REFUSED = "breach.write.refused"
    BREACH_CHANGED = "breach.changed"
    BREACH_ESCALATED = "breach.escalated"
    BREACH_REFERRED = "breach.referred"
    BREACH_CLOSED = "breach.closed"
    BREACHES_LISTED = "breaches.listed"
    BREACH_DATES = "breach.dates"
    BREACH_DATES_REFUSED = "breach.dates.refused"
    COMPLAINT_LOGGED = "complaint.logged"
    COMPLAINT_LOGGED_REFUSED = "complaint.logged.refused"
    COMPLAINT_READ = "complaint.read"
    COMPLAINT_READ_REFUSED = "complaint.read.refused"
    COMPLAINT_WRITE = "complaint.write"
    COMPLAINT_WRITE_REFUSED = "complaint.write.refused"
    COMPLAINT_CHANGED = "complaint.changed"
    COMPLAINT_CLOSED = "complaint.closed"
    COMPLAINTS_LISTED = "complaints.listed"

    # Reports for trustees and funders (issue 17: confide/reports).
    REPORT_DRAFTED = "report.drafted"
    REPORT_RELEASED = "report.released"
    REPORT_READ = "report.read"
    REPORT_READ_REFUSED = "report.read.refused"
    REPORT_DOWNLOADED = "report.downloaded"
    REPORTS_LISTED = "reports.listed"
    REPORT_SETTINGS_CHANGED = "report.settings_changed"
    CASE_STUDY_DRAFTED = "case_study.drafted"
    CASE_STUDY_CONSENT_RECORDED = "case_study.consent_recorded"
    CASE_STUDY_REVIEWED = "case_study.reviewed"
    CASE_STUDY_RELEASED = "case_study.released"
    CASE_STUDY_READ = "case_study.read"
    CASE_STUDY_READ_REFUSED = "case_study.read.refused"

    @property
    def label(self) -> str:
        """What the record of access shows for this action."""
        return LABELS[self]

    def refused(self) -> Action:
        """The same action, refused (an unknown one fails here, at the call)."""
        return Action(f"{self.value}.refused")

    def on_file(self) -> Action:
        """Opening the client's file for this action (a document's download, say)."""
        return Action(f"{self.value}.file")


LABELS: dict[Action, str] = {
    Action.CLIENT_READ: "Opened the client's file",
    Action.CLIENT_READ_REFUSED: "Tried to open the client's file: refused",
    Action.CLIENT_RECORD_OF_ACCESS: "Viewed this record of access",
    Action.CLIENT_RECORD_OF_ACCESS_REFUSED: "Tried to view this record of access: refused",
    Action.CLIENT_OPEN_OUTSIDE: "Opened the file outside their own cases, for a stated purpose",
    Action.CLIENT_OPEN_OUTSIDE_REFUSED: "Tried to open the file outside their own cases: refused",
    Action.CLIENT_BREAK_GLASS: "Broke the glass: opened the file with a stated reason (flagged for review)",
    Action.CLIENT_PEOPLE: "Viewed the people around the client",
    Action.CLIENT_PEOPLE_REFUSED: "Tried to view the people around the client: refused",
    Action.CLIENT_SAFE_CONTACT: "Viewed the safe contact details",
    Action.CLIENT_SAFE_CONTACT_REFUSED: "Tried to view the safe contact details: refused",
    Action.CASE_WRITE: "Opened a case to add to it",
    Action.CASE_WRITE_REFUSED: "Tried to add to a case: refused",
    Action.DOCUMENT_DOWNLOAD: "Downloaded a document",
    Action.DOCUMENT_DOWNLOAD_REFUSED: "Tried to download a document: refused",
    Action.DOCUMENT_DOWNLOAD_FILE: "Opened the file to download a document",
    Action.DOCUMENT_DOWNLOAD_FILE_REFUSED: "Tried to download a document: refused",
    Action.NOTE_ADDED: "Added a note",
    Action.CASE_REFERRAL_TAKEN: "Took the referral",
    Action.CASE_CHANGED: "Changed the case's stage or flags",
    Action.RISK_ASSESSMENT_ADDED: "Added a risk assessment",
    Action.DOCUMENT_ADDED: "Uploaded a document",
    Action.PERSON_ADDED: "Added someone to the client's file",
    Action.SAFE_CONTACT_UPDATED: "Changed the safe contact details",
    Action.SAFE_CONTACT_CONFIRMED: "Confirmed the safe contact details are still safe",
    Action.BREAK_GLASS_READ: "Reviewed a break-glass opening of this file",
    Action.BREAK_GLASS_REVIEWED: "Recorded the review of a break-glass opening",
    Action.CLIENTS_LISTED: "Listed clients",
    Action.CLIENT_SHARING: "Viewed the client's consents and requests to share",
    Action.CLIENT_SHARING_REFUSED: "Tried to view the client's consents and requests to share: refused",
    Action.CLIENT_SHARING_WRITE: "Opened the file to record consent or ask to share",
    Action.CLIENT_SHARING_WRITE_REFUSED: "Tried to record consent or ask to share: refused",
    Action.CONSENT_RECORDED: "Recorded the client's consent",
    Action.CONSENT_WITHDRAWN: "Recorded that the client withdrew consent",
    Action.CONSENT_READ: "Viewed a consent",
    Action.CONSENT_READ_REFUSED: "Tried to view a consent: refused",
    Action.CONSENT_WRITE: "Opened a consent to withdraw it",
    Action.CONSENT_WRITE_REFUSED: "Tried to change a consent: refused",
    Action.CLIENT_LIMITS: "Viewed the statement of the limits of confidentiality",
    Action.CLIENT_LIMITS_REFUSED: "Tried to view the statement of the limits of confidentiality: refused",
    Action.LIMITS_RECORD: "Opened the file to record that the client was told the limits of confidentiality",
    Action.LIMITS_RECORD_REFUSED: "Tried to record that the client was told the limits of confidentiality: refused",
    Action.LIMITS_RECORDED: "Recorded that the client was told the limits of confidentiality",
    Action.LIMITS_READ: "Viewed the signed statement of the limits of confidentiality",
    Action.LIMITS_READ_REFUSED: "Tried to view the signed statement of the limits of confidentiality: refused",
    Action.CLIENT_SUPPORT_CONSENT: "Viewed the client's consent to support",
    Action.CLIENT_SUPPORT_CONSENT_REFUSED: "Tried to view the client's consent to support: refused",
    Action.SUPPORT_CONSENT_RECORD: "Opened the file to record consent to support",
    Action.SUPPORT_CONSENT_RECORD_REFUSED: "Tried to record consent to support: refused",
    Action.SUPPORT_CONSENT_RECORDED: "Recorded the client's consent to support",
    Action.DISCLOSURE_REQUESTED: "Asked to share information (the policy's answer is recorded with it)",
    Action.DISCLOSURE_REFUSED_BY_POLICY: "Asked to share information: refused by the policy, and the refusal recorded",
    Action.DISCLOSURE_READ: "Viewed a request to share",
    Action.DISCLOSURE_READ_REFUSED: "Tried to view a request to share: refused",
    Action.DISCLOSURE_WRITE: "Opened a request to share to send it",
    Action.DISCLOSURE_WRITE_REFUSED: "Tried to send a request to share: refused",
    Action.DISCLOSURE_APPROVAL_VIEW: "Read a request to share, to decide on it",
    Action.DISCLOSURE_APPROVED: "Approved a request to share",
    Action.DISCLOSURE_DECLINED: "Did not approve a request to share",
    Action.DISCLOSURE_STEP_RECORDED: "Recorded a step the policy requires before sending (or why it was skipped)",
    Action.DISCLOSURE_SENT: "Recorded that the information was sent",
    Action.DISCLOSURE_LINK_MADE: "Made a secure link for the recipient",
    Action.DISCLOSURE_LINK_REVOKED: "Stopped a secure link",
    Action.DISCLOSURE_LINK_OPENED: "The recipient opened the secure link",
    Action.DISCLOSURE_LINK_OPENED_REFUSED: "Someone tried a secure link that no longer works",
    Action.DISCLOSURE_DOWNLOADED: "Downloaded through a secure link by the recipient",
    Action.DISCLOSURE_DOWNLOADED_REFUSED: "Someone tried to download through a secure link: refused",
    Action.DISCLOSURE_STOPPED: "Stopped a request to share: the consent it relied on ended",
    Action.TASKS_CREATED: "Tasks made from the policy's obligations",
    Action.TASK_CREATED: "A task the policy requires was made",
    Action.TASK_READ: "Opened a task",
    Action.TASK_FINISHED: "Recorded a task done",
    Action.REQUEST_LOGGED: "Logged a request for information from outside",
    Action.REQUEST_CALLED_BACK: "Called the person asking back on a known number",
    Action.REQUEST_READ: "Viewed a request for information from outside",
    Action.REQUEST_READ_REFUSED: "Tried to view a request for information: refused",
    Action.REQUEST_WRITE: "Opened a request for information to record the call back",
    Action.REQUEST_WRITE_REFUSED: "Tried to record a call back: refused",
    Action.REPORT_MADE: "Reported something the policy says must be passed on",
    Action.CONSENTS_EXPIRING_LISTED: "Saw the reminder of consents about to end",
    Action.APPROVALS_LISTED: "Listed requests waiting for approval",
    Action.TASKS_LISTED: "Listed their tasks",
    Action.OWN_REQUESTS_LISTED: "Listed their own requests to share that are still in hand",
    Action.CONSENT_FORM_VERSION_CREATED: "A new version of a consent form's wording was stored",
    Action.CLIENTS_SEARCHED: "Searched the list of clients",
    Action.PERSON_ADD: "Opened the file to add someone to it",
    Action.PERSON_ADD_REFUSED: "Tried to add someone to the client's file: refused",
    Action.SAFE_CONTACT_CHANGE: "Opened the file to change the safe contact details",
    Action.SAFE_CONTACT_CHANGE_REFUSED: "Tried to change the safe contact details: refused",
    Action.BREAK_GLASS_READ_REFUSED: "Tried to review a break-glass opening: refused",
    Action.DISCLOSURE_APPROVAL_VIEW_REFUSED: "Tried to read a request to share, to decide on it: refused",
    Action.TASK_READ_REFUSED: "Tried to open a task: refused",
    Action.TASKS_NOT_TOLD: "Recorded who is not to be told of a sharing, as the policy says",
    Action.TASK_ADDED: "Added a task to a client's file",
    Action.TEAM_OVERDUE_LISTED: "Listed their team's overdue tasks",
    Action.NOTICE_READ: "Opened a notice",
    Action.NOTICES_ALL_READ: "Marked all their notices as read",
    Action.NOTICES_CONSENT_ENDING: "Told workers that consents they rely on are ending",
    Action.NOTICES_EMAILED: "Emailed a reminder that things are waiting, without saying what",
    Action.USER_CREATED: "Created a user account",
    Action.USER_PASSWORD_CHANGED: "Changed a user's password",
    Action.USER_ROLE_CHANGED: "Changed a user's role",
    Action.USER_DISABLED: "Disabled a user account",
    Action.USER_ENABLED: "Re-enabled a user account",
    Action.USER_DETAILS_CHANGED: "Changed a user's name or contact details",
    Action.ORGANISATION_CHANGED: "Changed the organisation's settings",
    Action.DEMO_CREATED: "Set up the demonstration organisation",
    Action.AGENCY_ADDED: "Added an agency to the directory",
    Action.AGENCY_CHANGED: "Changed an agency in the directory",
    Action.AGENCY_CONTACT_ADDED: "Added a contact at an agency",
    Action.AGENCY_CONTACT_CHANGED: "Changed a contact at an agency",
    Action.AGREEMENT_ADDED: "Recorded an information-sharing agreement",
    Action.AGREEMENT_ENDED: "Ended an information-sharing agreement",
    Action.SESSION_LOCKED: "The screen was locked",
    Action.SESSION_UNLOCKED: "Unlocked the screen with their password",
    Action.SESSIONS_ENDED: "Signed a user out everywhere",
    Action.LOGIN_FAILED: "Tried to sign in: wrong password or unknown account",
    Action.LOGIN_REFUSED_LOCKED: "Tried to sign in while the account was locked: refused",
    Action.LOGIN_PASSWORD_OK: "Gave the right password when signing in",
    Action.LOGIN_SUCCEEDED: "Signed in",
    Action.LOGOUT: "Signed out",
    Action.ACCOUNT_LOCKED_OUT: "Account locked after too many failed attempts",
    Action.SECOND_FACTOR_SETUP_CODE_ISSUED: "Issued a code to set up a second sign-in step",
    Action.SECOND_FACTOR_SETUP_FAILED: "Tried to set up a second sign-in step: wrong code",
    Action.SECOND_FACTOR_SETUP_REFUSED: "Tried to set up a second sign-in step without a set-up code: refused",
    Action.SECOND_FACTOR_SET_UP: "Set up a second sign-in step",
    Action.SECOND_FACTOR_FAILED: "Tried to sign in: wrong code for the second step",
    Action.APPROVAL_IDENTITY_CONFIRMED: "Confirmed their identity with their password to decide on a request to share",
    Action.DISCLOSURE_APPROVAL_WORDS: "Read the words a request to share would send, to decide on it",
    Action.ENTRY_CHANGE: "Opened an entry to correct it or move it to the right file",
    Action.ENTRY_CHANGE_REFUSED: "Tried to correct or move an entry: refused",
    Action.ENTRY_CORRECTED: "Corrected an entry (the earlier version is kept)",
    Action.ENTRY_MOVED_OUT: "Moved an entry written in this file in error to the right file",
    Action.ENTRY_MOVED_IN: "Moved an entry here that was written in another file in error",
    Action.ENTRY_HISTORY: "Viewed the earlier versions of an entry",
    Action.ENTRY_HISTORY_REFUSED: "Tried to view the earlier versions of an entry: refused",
    Action.ENTRY_HISTORY_FILE: "Opened the file to view the earlier versions of an entry",
    Action.ENTRY_HISTORY_FILE_REFUSED: "Tried to view the earlier versions of an entry: refused",
    Action.CLIENT_IDENTITY_CORRECT: "Opened the client's name or date of birth to correct it",
    Action.CLIENT_IDENTITY_CORRECT_REFUSED: "Tried to correct the client's name or date of birth: refused",
    Action.CLIENT_IDENTITY_CORRECTED: "Corrected the client's name or date of birth (the earlier one is kept)",
    Action.CLIENT_FILE_PRINTED: "Opened the client's file to print it",
    Action.CLIENT_FILE_PRINTED_REFUSED: "Tried to open the client's file to print it: refused",
    Action.SAR_LOGGED: "Logged a subject-access request",
    Action.SAR_CHANGED: "Recorded a step on a subject-access request (identity, clarification, extension, search)",
    Action.SAR_READ: "Viewed a subject-access request",
    Action.SAR_READ_REFUSED: "Tried to view a subject-access request: refused",
    Action.SAR_WRITE: "Opened a subject-access request to work on it",
    Action.SAR_WRITE_REFUSED: "Tried to work on a subject-access request: refused",
    Action.SAR_FILE: "Opened the client's file to answer their subject-access request",
    Action.SAR_FILE_REFUSED: "Tried to open the client's file for a subject-access request: refused",
    Action.SAR_COMPILED: "Compiled the client's file for their subject-access request",
    Action.SAR_ITEM_DECIDED: "Decided what to release of an item in a subject-access request",
    Action.SAR_REDACTION_DECIDED: "Decided on a proposed redaction in a subject-access request",
    Action.SAR_RELEASED: "Reviewed and released the client's subject-access copy",
    Action.SAR_RELEASE_REFUSED: "Tried to release a subject-access copy: refused",
    Action.SAR_DOWNLOAD: "Downloaded the released subject-access copy",
    Action.SAR_DOWNLOAD_REFUSED: "Tried to download a subject-access copy: refused",
    Action.SAR_DRAFTED: "Wrote the strictest subject-access draft from the command line",
    Action.SAR_DRAFTED_REFUSED: "Tried to write a subject-access draft from the command line: no such client",
    Action.SAR_WITHDRAWN: "Recorded that a subject-access request was withdrawn",
    Action.SARS_LISTED: "Listed the open subject-access requests",
    Action.CLIENTS_DUPLICATE_CHECKED: "Checked a new referral against the clients already on Confide",
    Action.RETENTION_RECOMPUTED: "Worked out again when each record falls due under the retention schedule",
    Action.RETENTION_HOLD_PLACED: "Placed a legal hold, which stops destruction of what it covers",
    Action.RETENTION_HOLD_RELEASED: "Released a legal hold",
    Action.RETENTION_BATCH_PREPARED: "Prepared a batch of records falling due, for two people to approve",
    Action.RETENTION_BATCH_APPROVED: "Approved a batch of records for destruction under the retention schedule",
    Action.RETENTION_BATCH_APPLIED: "Applied an approved retention batch",
    Action.RETENTION_DESTROYED: "Destroyed a client's file or a personnel file under the retention schedule (the "
                                "destruction certificate)",
    Action.RETENTION_MINIMISED: "Kept only what the policy names of an unsuccessful application and destroyed the rest",
    Action.RETENTION_RETURNED: "Removed unsolicited information, recorded as returned to the sender",
    Action.RETENTION_REPLAYED: "Destroyed again, from the destruction journal, clients a restored backup still held",
    Action.BACKUP_MADE: "Made a backup of the database and the key store (confide backup)",
    Action.BACKUP_RESTORED: "Restored a backup, and removed again every client destroyed since (confide restore)",
    Action.DECLARATION_SIGNED: "Signed a declaration the policy asks for, by typing their name",
    Action.DECLARATION_COPY_UPLOADED: "Uploaded a signed copy of a person's declaration",
    Action.DECLARATION_COPY_DOWNLOADED: "Downloaded a signed copy of a person's declaration",
    Action.DECLARATION_COPY_DOWNLOADED_REFUSED: "Tried to download a signed copy of a declaration: refused",
    Action.DECLARATION_OUTSIDE_SIGNED: "Recorded a contractor's or partner agency's signed declaration",
    Action.INDUCTION_RECORDED: "Recorded a person's induction",
    Action.TRAINING_RECORDED: "Recorded a training module a person completed",
    Action.CLEARANCE_REFUSED: "Was refused clients' records: a declaration or induction the policy asks for is missing",
    Action.CLEARANCE_DEMO_SIGNED: "Recorded the demo's people as having signed and been inducted",
    Action.PERSONNEL_READ: "Opened a personnel file",
    Action.PERSONNEL_READ_REFUSED: "Tried to open a personnel file: refused",
    Action.PERSONNEL_MEDICAL_READ: "Opened the sealed medical section of a personnel file",
    Action.PERSONNEL_MEDICAL_READ_REFUSED: "Tried to open the sealed medical section of a personnel file: refused",
    Action.PERSONNEL_LISTED: "Listed the personnel files they may read",
    Action.PERSONNEL_FILE_OPENED: "Opened a new personnel file for a member of staff or volunteer",
    Action.PERSONNEL_UPDATED: "Changed a section of a personnel file",
    Action.PERSONNEL_UPDATED_REFUSED: "Tried to change a section of a personnel file: refused",
    Action.PERSONNEL_LINE_MANAGER_SET: "Set the line manager on a personnel file",
    Action.PERSONNEL_LEFT: "Recorded the day a person left (retention counts from it)",
    Action.PERSONNEL_DESTROYED: "Destroyed a personnel file under the retention schedule",
    Action.MONITORING_RECORDED: "Recorded an equal-opportunities monitoring form, with no link to anyone",
    Action.MONITORING_COUNTED: "Viewed the counts of equal-opportunities monitoring",
    Action.APPLICANT_RECORDED: "Recorded an application for a post",
    Action.APPLICANT_DECIDED: "Recorded the outcome of an application",
    Action.APPLICANT_READ: "Opened an application for a post",
    Action.APPLICANT_READ_REFUSED: "Tried to open an application for a post: refused",
    Action.APPLICANTS_LISTED: "Listed the applications for posts",
    Action.APPLICANT_MINIMISED: "Minimised an unsuccessful application, keeping only the counted monitoring answers",
    Action.CONTACT_REQUEST_LOGGED: "Logged a request for a worker's home address or telephone number",
    Action.CONTACT_REQUEST_PASSED: "Passed a request for their contact details to the worker",
    Action.CONTACT_REQUEST_ANSWERED: "Answered a request for their own contact details",
    Action.CONTACT_REQUEST_GIVEN: "Recorded a worker's contact details as given, as the worker agreed or as the law requires",
    Action.CONTACT_REQUEST_READ: "Viewed a request for a worker's contact details",
    Action.CONTACT_REQUEST_READ_REFUSED: "Tried to view a request for a worker's contact details: refused",
    Action.CONTACT_REQUESTS_LISTED: "Listed requests for workers' contact details",
    Action.PERSONNEL_ACCESS_ASKED: "Asked for approval to read a personnel file",
    Action.PERSONNEL_ACCESS_ASKED_REFUSED: "Tried to ask for approval to read a personnel file: refused",
    Action.PERSONNEL_ACCESS_DECIDED: "Approved or refused a request to read a personnel file",
    Action.PERSONNEL_APPROVAL_READ: "Viewed a request to read a personnel file",
    Action.PERSONNEL_APPROVAL_READ_REFUSED: "Tried to view a request to read a personnel file: refused",
    Action.BREACH_RECORDED: "Recorded a breach in the breach register",
    Action.BREACH_RECORDED_REFUSED: "Tried to record a breach: refused",
    Action.BREACH_READ: "Viewed a breach in the breach register",
    Action.BREACH_READ_REFUSED: "Tried to view a breach in the breach register: refused",
    Action.BREACH_WRITE: "Opened a breach in the breach register to record a step",
    Action.BREACH_WRITE_REFUSED: "Tried to record a step on a breach: refused",
    Action.BREACH_CHANGED: "Recorded a step on a breach (a decision, the people told, evidence or lessons)",
    Action.BREACH_ESCALATED: "Escalated a breach to the next step of the policy's chain",
    Action.BREACH_REFERRED: "Referred a breach for disciplinary action",
    Action.BREACH_CLOSED: "Closed a breach in the breach register",
    Action.BREACHES_LISTED: "Listed the breach register",
    Action.BREACH_DATES: "Viewed a breach's number and dates only, for a complaint about it",
    Action.BREACH_DATES_REFUSED: "Tried to view a breach's number and dates: refused",
    Action.COMPLAINT_LOGGED: "Logged a complaint about data protection",
    Action.COMPLAINT_LOGGED_REFUSED: "Tried to log a complaint about data protection: refused",
    Action.COMPLAINT_READ: "Viewed a complaint about data protection",
    Action.COMPLAINT_READ_REFUSED: "Tried to view a complaint about data protection: refused",
    Action.COMPLAINT_WRITE: "Opened a complaint about data protection to record a step",
    Action.COMPLAINT_WRITE_REFUSED: "Tried to record a step on a complaint: refused",
    Action.COMPLAINT_CHANGED: "Recorded a step on a complaint (acknowledged, investigated, outcome told)",
    Action.COMPLAINT_CLOSED: "Closed a complaint about data protection",
    Action.COMPLAINTS_LISTED: "Listed the complaints about data protection",
    Action.REPORT_DRAFTED: "Drafted a report of figures for trustees and funders (counts only)",
    Action.REPORT_RELEASED: "Reviewed and released a report of figures (frozen as released)",
    Action.REPORT_READ: "Viewed a report of figures",
    Action.REPORT_READ_REFUSED: "Tried to view a report of figures: refused",
    Action.REPORT_DOWNLOADED: "Downloaded a report of figures (PDF or CSV)",
    Action.REPORTS_LISTED: "Listed the reports of figures",
    Action.REPORT_SETTINGS_CHANGED: "Changed the smallest number a report may show",
    Action.CASE_STUDY_DRAFTED: "Drafted an anonymised case study from a case",
    Action.CASE_STUDY_CONSENT_RECORDED: "Recorded the client's consent to a case study",
    Action.CASE_STUDY_REVIEWED: "Reviewed a case study as the second person",
    Action.CASE_STUDY_RELEASED: "Released a case study",
    Action.CASE_STUDY_READ: "Viewed a case study",
    Action.CASE_STUDY_READ_REFUSED: "Tried to view a case study: refused",
}

# The values record_event() accepts: a frozenset, so the check on every append is one lookup.
KNOWN: frozenset[str] = frozenset(action.value for action in Action)
