"""A person's notices: what happened that they should know about ("your request was approved", "a
task has been given to you"), each opened from here, which marks it read and goes to its page,
where the gate decides afresh what they may see. A notice holds no client data
(confide.notices.services); reading the list reads nothing of a client's."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from confide.notices.services import do_mark_all_read, do_mark_read, notices_for


@require_http_methods(["GET", "POST"])
def notices(request):
    """GET: the list, newest first. POST `notice`: open that one (marked read, then its page);
    POST `all`: mark every one read. Opening is a POST, so a GET never changes anything."""
    here = reverse("web:notices")
    if request.method == "POST":
        if "all" in request.POST:
            do_mark_all_read(request.user)
            return redirect(here)
        notice = do_mark_read(request.user, request.POST.get("notice"))  # not theirs: the same 404 as none
        safe = notice.link and url_has_allowed_host_and_scheme(notice.link, allowed_hosts=None)
        return redirect(notice.link if safe else here)
    found = notices_for(request.user)
    return render(request, "notices/notices.html", {
        "notices": found, "unread": sum(1 for n in found if n.read_at is None), "here": here})
