"""The PUBLIC pages of a secure link: what a recipient outside the organisation opens, with no
sign-in; the token in the address is the key (confide.sharing.access opens it, counts each
download, and writes the audit events). Nothing else in Confide answers without a sign-in: keep
these pages here, on their own, so they are easy to review."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from confide.accounts.models import current_organisation
from confide.sharing import access as gate
from confide.sharing.disclosure import recipient_name
from confide.web.downloads import attachment


@login_not_required
@require_GET
def shared(request, token: str):
    """What a partner agency sees through its link: the approved items, each to download once. A
    GET never uses a download up, so a mail scanner that follows the link spends nothing."""
    organisation = current_organisation()
    try:
        link, entries = gate.open_link(token)
    except Http404 as refused:
        # Issue 13: said plainly, with whom to call, and nothing about the request or the client. A
        # link that expired, was stopped or never existed answers alike; one whose every item was
        # downloaded tells its holder so.
        return render(request, "sharing/shared.html", {
            "state": "used" if isinstance(refused, gate.LinkUsedUp) else "gone",
            "organisation": organisation.name if organisation else "", "phone": organisation.phone if organisation else ""},
            status=404)
    done = set(link.downloaded)
    items = [{"pk": e.pk, "kind": e.get_kind_display(), "on": e.created_at, "done": e.pk in done} for e in entries]
    return render(request, "sharing/shared.html", {
        "items": items, "link": link, "link_token": token, "organisation": organisation.name if organisation else "",
        "to": recipient_name(link.disclosure) if link.disclosure.agency_id else ""})


@login_not_required
@require_POST
def shared_download(request, token: str, entry_id: int):
    """One item, once: the download is counted (and audited) before it is handed over, under a
    neutral name (confide/web/downloads.py)."""
    filename, content_type, content = gate.do_link_download(token, entry_id)
    return attachment(content, content_type, f"shared-item-{int(entry_id)}", original=filename)
