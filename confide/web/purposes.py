"""The purpose a page is opened for (the policy contract's `purpose`), carried in its address.

Direct support, a person's own work, is the default and leaves the address plain; any other
purpose (supervision, cover, audit, ...) is named in `?purpose=`, so every link out of a page
opened for it keeps it, and the gate is asked about that purpose and no other.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import render

from confide.accounts.models import current_policy


def bad_request(request, title: str, message: str):
    return render(request, "web/error.html", {"status": 400, "title": title, "message": message}, status=400)


def purpose_of(request) -> str | None:
    """The purpose in the address, or None if it is not one of the pack's purposes. Whether it opens
    anything is the gate's answer."""
    purpose = request.GET.get("purpose", "direct_support")
    pack = current_policy()
    # The vocabulary's purposes the pack uses, and the pack's own (Home-Start's spot check).
    return purpose if purpose in pack.purposes or purpose in pack._purposes else None


def with_purpose(url: str, purpose: str) -> str:
    return url if purpose == "direct_support" else f"{url}?{urlencode({'purpose': purpose})}"


def bad_purpose(request):
    return bad_request(request, "That purpose is not one Confide knows", "Go back and choose one from the list.")


def asks_purpose(view):
    """The view is given the purpose in its address as `purpose`; an unknown one gets a 400 page
    saying so, and the view (and the gate) is never reached."""

    @wraps(view)
    def with_known_purpose(request, *args, **kwargs):
        purpose = purpose_of(request)
        if purpose is None:
            return bad_purpose(request)
        return view(request, *args, purpose=purpose, **kwargs)

    return with_known_purpose
