"""Error pages that carry no client data: a fixed message, no path, no exception text."""

from django.http import HttpResponse
from django.template.loader import render_to_string


def _page(request, status: int, title: str, message: str):
    # Rendered without the request's context: nothing about the person or the data they asked for
    # reaches the page, and it still renders when the database is the thing that failed.
    html = render_to_string("web/error.html", {"status": status, "title": title, "message": message})
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Something in that request was not right", "Go back and try again.")


def forbidden(request, exception=None):
    return _page(request, 403, "You cannot do that", "If you think you should be able to, ask your manager.")


def not_found(request, exception=None):
    return _page(request, 404, "Page not found",
                 "There is nothing here, or it is not yours to see. Check the address, or go back to your home page.")


def server_error(request):
    return _page(request, 500, "Something went wrong on our side",
                 "Nothing you entered has been shown to anyone. Try again; if it keeps happening, tell your manager.")
