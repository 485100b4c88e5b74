from django.conf import settings

from confide.accounts.models import Organisation


def confide(request):
    organisation = Organisation.objects.filter(pk=1).first()
    return {
        "demo_mode": settings.DEMO_MODE,
        "organisation": organisation,
        "idle_lock_seconds": int(settings.IDLE_LOCK_MINUTES * 60),
    }
