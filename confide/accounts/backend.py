"""How a request finds its signed-in person (settings.AUTHENTICATION_BACKENDS): Django's
ModelBackend, with the person and their team read by one fixed SELECT instead of the ORM's queries
(bench/RESULTS.md, web). The SELECT runs through Django's cursor, so it is logged, counted and
watched like any other query."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from confide.accounts.models import Team
from confide.plainrows import fixed_rows, load_instances


class Backend(ModelBackend):
    """Django's ModelBackend (settings.AUTHENTICATION_BACKENDS), with the signed-in person read, with
    their team, by a fixed SELECT. django.contrib.auth.get_user() still checks the session's hash
    against the password, and this still refuses an inactive account, as ModelBackend does."""

    def get_user(self, user_id):
        names = _user_fields()
        rows = fixed_rows(_user_sql(), [user_id])
        if not rows:
            return None
        user = load_instances(get_user_model(), names, rows)[0]
        if user.team_id is not None:
            user.team = load_instances(Team, ("id", "name", "slug"), [rows[0][len(names):]])[0]
        return user if self.user_can_authenticate(user) else None


@cache
def _user_fields() -> tuple[str, ...]:
    return tuple(field.attname for field in get_user_model()._meta.concrete_fields)


@cache
def _user_sql() -> str:
    user_model = get_user_model()
    columns = ", ".join(f"u.{field.column}" for field in user_model._meta.concrete_fields)
    return (f"SELECT {columns}, t.id, t.name, t.slug FROM {user_model._meta.db_table} u "  # noqa: S608 -- names, not input
            "LEFT JOIN accounts_team t ON t.id = u.team_id WHERE u.id = %s")
