"""An id typed into an address: a number a record could have, or the same 404 as a missing record."""

from __future__ import annotations

from django.http import Http404


def record_id(value) -> int:
    """The id as an int, or Http404 for anything no record could have (not a number, zero or
    less, too large for the database's integers), exactly as for a record that does not exist."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk
