"""Error pages that carry no client data: a fixed message, no path, no exception text; and the one
place the web layer shows what a service refused (a ConfideError, confide/errors.py): beside the
form field it names (add_to_form), or, uncaught by the view, as a calm page with its own status
(refused, called by confide.web.middleware). Its message is written for the person and holds no
client data; its code, never its message, goes to the log."""

import logging
import sys

from django.db import InternalError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from confide.errors import ConfideError

logger = logging.getLogger("confide.faults")

# A database that cannot take a write just now: locked past its timeout, read-only, full, or out of
# reach. SQLite says which in its message (these are its fixed texts); PostgreSQL by SQLSTATE.
_SQLITE_FAULTS = (
    ("database is locked", "locked"), ("database table is locked", "locked"),
    ("database schema is locked", "locked"), ("attempt to write a readonly database", "read_only"),
    ("database or disk is full", "disk_full"), ("disk i/o error", "disk_io"),
    ("unable to open database file", "unreachable"),
)
_POSTGRES_FAULTS = {
    "25006": "read_only",        # read_only_sql_transaction
    "53100": "disk_full",        # disk_full
    "53000": "disk_full",        # insufficient_resources
    "55P03": "locked",           # lock_not_available (lock_timeout)
    "40P01": "locked",           # deadlock_detected: this transaction was the one rolled back
    "57014": "timeout",          # query_canceled (statement_timeout)
    "57P01": "unreachable", "57P02": "unreachable", "57P03": "unreachable",  # shutting down, starting up
    "53300": "unreachable",      # too_many_connections
}
RETRY_AFTER_SECONDS = 120


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or while handling (a ROLLBACK that itself failed
    hides the fault that made it necessary)."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain and len(chain) < 8:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def _kind(exc: BaseException) -> str | None:
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate:
        return _POSTGRES_FAULTS.get(sqlstate) or ("unreachable" if sqlstate.startswith("08") else None)
    if type(exc).__module__.startswith("psycopg") and type(exc).__name__ == "OperationalError":
        return "unreachable"  # no SQLSTATE: the connection itself failed (server down, refused)
    message = str(exc).lower()
    return next((kind for text, kind in _SQLITE_FAULTS if message.startswith(text)), None)


def _fault(exc: BaseException | None) -> tuple[str, BaseException] | None:
    if not isinstance(exc, OperationalError | InternalError):
        return None
    for link in _chain(exc):
        kind = _kind(link)
        if kind is not None:
            return kind, link
    return None


def database_fault(exc: BaseException | None) -> str | None:
    """What kind of database fault `exc` is ("locked", "read_only", "disk_full", "disk_io",
    "timeout", "unreachable"), or None if it is not one: an error in Confide's own SQL stays a 500."""
    found = _fault(exc)
    return found[0] if found else None


def _fault_cause(exc: BaseException) -> str:
    """The database's exception class and its own words for the fault, first line only: psycopg's
    primary message (never its DETAIL, which may quote values), or SQLite's fixed text."""
    found = _fault(exc)
    cause = found[1] if found else exc
    cause = cause.__cause__ or cause  # the driver's exception, if this is Django's wrapper of it
    diag = getattr(cause, "diag", None)
    text = (getattr(diag, "message_primary", None) if diag is not None else None) or str(cause)
    return f"{type(cause).__module__}.{type(cause).__qualname__}: {text.splitlines()[0][:200] if text else ''}"


def _page(request, status: int, title: str, message: str):
    # Rendered without the request's context: nothing about the person or the data they asked for
    # reaches the page, and it still renders when the database is the thing that failed.
    html = render_to_string("web/error.html", {"status": status, "title": title, "message": message})
    return HttpResponse(html, status=status)


# The heading of the page an uncaught refusal is shown on, by its status.
REFUSED_TITLES = {
    400: "That could not be done",
    403: "You cannot do that",
    404: "Page not found",
    409: "That could not be done now",
    410: "These records no longer exist",
}


def add_to_form(form, error: ConfideError) -> None:
    """A service's refusal shown beside the field it names, or above the form if it names none
    (or one this form does not have)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.sentence())


def refused(request, error: ConfideError) -> HttpResponse:
    """A refusal no view caught: a page with its message and status, not a 500. Nothing was saved
    (the do_* function's transaction rolled back whole)."""
    view = getattr(getattr(request, "resolver_match", None), "view_name", "") or "-"
    logger.info("refused (%s, %s) answering %s %s", error.code, error.status, request.method, view)
    if error.code == "not_cleared" and hasattr(error, "missing"):
        # The gate's clearance check (confide.staffing.clearance.NotCleared): what this person still
        # needs (their own declarations and induction, never a client), with where to sign.
        from confide.staffing.clearance import not_cleared_context

        html = render_to_string("clearance/not_cleared.html", not_cleared_context(error))
        return HttpResponse(html, status=error.status)
    return _page(request, error.status, REFUSED_TITLES.get(error.status, REFUSED_TITLES[400]), error.sentence())


def bad_request(request, exception=None):
    return _page(request, 400, "Something in that request was not right", "Go back and try again.")


def forbidden(request, exception=None):
    return _page(request, 403, "You cannot do that", "If you think you should be able to, ask your manager.")


def not_found(request, exception=None):
    return _page(request, 404, "Page not found",
                 "There is nothing here, or it is not yours to see. Check the address, or go back to your home page.")


def database_unavailable(request, exc: BaseException) -> HttpResponse:
    """A 503 for a database fault, never an error page that loses the person: nothing was saved (the
    do_* function's transaction rolled back whole, its audit event with it), so it is safe to try
    again. The log names the cause; the page names nothing."""
    view = getattr(getattr(request, "resolver_match", None), "view_name", "") or "-"
    logger.warning("database fault (%s) answering %s %s: %s", database_fault(exc), request.method, view,
                   _fault_cause(exc))
    if request.method == "POST":
        message = ("Nothing has been saved, and nothing was half-saved. Go back and try again in a few minutes. "
                   "If what you typed is no longer in the form, you will need to type it again.")
    else:
        message = "Nothing has been changed. Try again in a few minutes. If it keeps happening, tell your manager."
    response = _page(request, 503, "Confide cannot save right now", message)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # A database fault met outside a view (a session saved after the page, say) reaches here too.
    exc = sys.exc_info()[1]
    if database_fault(exc) is not None:
        return database_unavailable(request, exc)
    return _page(request, 500, "Something went wrong on our side",
                 "Nothing you entered has been shown to anyone. Try again; if it keeps happening, tell your manager.")
