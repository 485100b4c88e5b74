from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from confide.accounts.models import current_organisation
from confide.notices.services import unread_count

# Where every signed-in page's header (web/base.html) and the client list link to, by the names
# the templates use.
LINKS = {"home": "web:home", "clients": "web:client_list", "open_outside": "web:open_outside",
         "new_referral": "web:new_referral", "reviews": "web:review_queue", "lock": "accounts:lock",
         "keep_alive": "accounts:keep_alive", "sign_out": "accounts:logout", "notices": "web:notices"}


# And the static files every page's head names.
STATIC = {"idle_js": "confide/idle.js", "css": "confide/confide.css", "favicon": "confide/favicon.svg"}


@lru_cache(maxsize=16)
def _links(urlconf: str, prefix: str, static_url: str) -> dict[str, str]:
    links = {key: reverse(name, urlconf=urlconf) for key, name in LINKS.items()}
    return links | {key: static(path) for key, path in STATIC.items()}


def _site_user(request) -> dict:
    """The signed-in person as the header shows them (empty, so false, for nobody), worked out
    once here rather than looked up through request.user's proxy at each use in the template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"kind": user.role_kind, "name": user.get_full_name() or user.username, "role": user.role_label,
            "team": user.team.name if user.team_id is not None else ""}


def confide(request):
    organisation = current_organisation()
    return {
        "site_user": _site_user(request),
        # The header's "Notices (2)": one indexed count per page, for a signed-in person only.
        "notices_unread": unread_count(getattr(request, "user", None)),
        "demo_mode": settings.DEMO_MODE,
        "organisation": organisation,
        "idle_lock_seconds": int(settings.IDLE_LOCK_MINUTES * 60),
        # Reversed once per process (per URL conf, script prefix and static URL), not on every
        # page: a dozen {% url %} and {% static %} tags cost more than the rest of the header
        # (bench/RESULTS.md, web).
        "site_links": _links(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), settings.STATIC_URL),
    }
