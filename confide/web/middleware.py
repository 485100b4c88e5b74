"""Strict response headers, set in one place and asserted in tests/web/test_security.py; a database
fault turned into a clear 503 answer; and a refusal no view caught (a ConfideError) turned into a
calm page with its own status, not a 500 (both in confide/web/errors.py)."""

from __future__ import annotations

from confide.errors import ConfideError
from confide.web.errors import database_fault, database_unavailable, refused

# Confide's pages work without JavaScript. The one script (the idle lock's warning) is a file
# served by Confide: no inline script, no eval, nothing from elsewhere.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
])
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Client data must not stay in the browser's cache or history after lock or sign-out
        # (DVIP 6.06: nothing left on screen). Static files are served before this middleware.
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class DatabaseFaultMiddleware:
    """A view that meets a locked, read-only, full or unreachable database answers 503 ("Confide
    cannot save right now"), never a 500 page; one that lets a service's refusal (a ConfideError
    with a 4xx status) through answers with that status and its message. Last in MIDDLEWARE, so it
    sees the view's exception first; a fault outside any view reaches errors.server_error, which
    answers the same."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ConfideError) and 400 <= exception.status < 500:
            return refused(request, exception)
        if database_fault(exception) is None:
            return None
        return database_unavailable(request, exception)
