from django.conf import settings

from confide.accounts.models import current_organisation


def confide(request):
    organisation = current_organisation()
    return {
        "demo_mode": settings.DEMO_MODE,
        "organisation": organisation,
        "idle_lock_seconds": int(settings.IDLE_LOCK_MINUTES * 60),
    }
