"""The WSGI application (`confide serve`, or any WSGI server). Files it creates are owner-only, and
it refuses to start when others can read var/, the database or a key file (confide/conf.py)."""

import os

from confide import conf

conf.private_umask()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")

from django.conf import settings  # noqa: E402 -- after the umask and the settings module are set
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

try:
    conf.check_private_files_of(settings)
except conf.ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from None
application = get_wsgi_application()
