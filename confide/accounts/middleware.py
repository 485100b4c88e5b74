"""The idle lock (DVIP 6.06: do not leave information on screen).

After IDLE_LOCK_MINUTES without a request the session is locked: every page but the lock screen
and sign-out redirects there until the password is entered again. In the browser, idle.js clears
an unattended screen itself, after a warning that offers to keep working (WCAG 2.2.1); without
JavaScript the page stays until the next click, which then meets the lock.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.shortcuts import redirect

from confide.audit.actions import Action
from confide.audit.services import record_event

LAST_SEEN = "confide_last_seen"
LOCKED = "confide_locked"
# The last-seen time is rewritten at most this often: each rewrite is a durable write of the session,
# and on every page it doubled the writes (bench/RESULTS.md, web). So an idle session may lock up to
# this much early; a page in use says so to the server through idle.js at least once a minute.
LAST_SEEN_RESOLUTION = 30


def do_lock_session(request, reason: str) -> None:
    if not request.session.get(LOCKED):
        request.session[LOCKED] = True
        record_event(request.user, Action.SESSION_LOCKED, object_type="user", object_id=request.user.pk,
                     detail={"reason": reason})


def unlock_session(request) -> None:
    request.session[LOCKED] = False
    request.session[LAST_SEEN] = time.time()


def allowed_when_locked(view):
    view.allowed_when_locked = True
    return view


class IdleLockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if getattr(view_func, "allowed_when_locked", False):
            return None
        now = time.time()
        last_seen = request.session.get(LAST_SEEN, now)
        if not request.session.get(LOCKED) and now - last_seen > settings.IDLE_LOCK_MINUTES * 60:
            do_lock_session(request, "idle")
        if request.session.get(LOCKED):
            return redirect("accounts:lock")
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in request.session:
            request.session[LAST_SEEN] = now
        return None
