"""Staff, their roles and teams, and the organisation whose policy pack names the roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from confide.keys.sealed import Sealed


class Organisation(models.Model):
    """The service running this Confide. One per installation; its pack is the policy enforced."""

    name = models.CharField(max_length=200)
    pack = models.CharField(max_length=100, help_text="Name of the built-in policy pack, or a path to the organisation's own.")
    created_at = models.DateTimeField(default=timezone.now)
    # A demo organisation holds only fictional people; only a demo may waive the second factor.
    is_demo = models.BooleanField(default=False)
    # How a recipient calls back, printed on what is shared (issue 13): the organisation's own
    # switchboard and postal address, never a worker's.
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    # When a task is due if the pack gives no period for it (days from when it is set).
    task_due_days = models.PositiveSmallIntegerField(default=7)
    # Whether Confide emails people that something is waiting (never what, never a client).
    email_reminders = models.BooleanField(default=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_organisation")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Organisation:
        return cls.objects.get(pk=1)

    def policy(self):
        from confide.policy import load_pack  # the policy package has no Django in it; load on use

        return load_pack(self.pack)


# The organisation's pack is asked for on every decision and every role label, so its name is
# kept in the process and forgotten whenever the organisation is saved or deleted. Changing an
# installation's pack is a reconfiguration: restart Confide's other processes after it.
_pack_name: list[str] = []


def current_policy():
    """The organisation's compiled policy pack, without a query after the first."""
    from confide.policy import load_pack

    if not _pack_name:
        _pack_name.append(Organisation.objects.values_list("pack", flat=True).get(pk=1))
    return load_pack(_pack_name[0])


_organisation: list[Organisation | None] = []


def current_organisation() -> Organisation | None:
    """The organisation (for every page's header), read once per process like its pack."""
    if not _organisation:
        found = Organisation.objects.filter(pk=1).first()
        if found is None:
            return None  # not set up yet: asked again next time
        _organisation.append(found)
    return _organisation[0]


@receiver([post_save, post_delete], sender=Organisation)
def _forget_pack_name(**kwargs) -> None:
    _pack_name.clear()
    _organisation.clear()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff, a volunteer or a trustee. Clients never log in."""

    role = models.CharField(max_length=64, help_text="A role named in the organisation's policy pack.")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    # A direct line a recipient may call back on (printed on what this person shares); blank: the
    # organisation's own number is given instead.
    work_phone = models.CharField(max_length=40, blank=True)
    # Second factor (RFC 6238 TOTP). The secret is set at first sign-in and confirmed with a code;
    # stored sealed under the installation's secrets key (confide/keys), read and set through
    # `totp_secret` ("" when none is set; "" clears it); an account is saved before it has one.
    totp_secret_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    totp_secret = Sealed("totp_secret_sealed", "user", "totp_secret", ref="pk", client=None)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last TOTP time step accepted, so a code seen over a shoulder cannot be used twice.
    totp_last_step = models.BigIntegerField(default=0)
    # A one-time set-up code, given to the person directly: without it a second factor cannot be
    # set up, so whoever learns a new account's first password cannot enrol their own phone.
    setup_code_hash = models.CharField(max_length=128, blank=True)
    setup_code_expires = models.DateTimeField(null=True, blank=True)
    failed_logins = models.PositiveIntegerField(default=0)
    # Counted apart from passwords and reset only by a right code: someone who knows the password
    # must not be able to clear the count of wrong codes by signing in with it again.
    second_factor_failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_obj(self):
        return current_policy().roles.get(self.role)

    @property
    def role_kind(self) -> str:
        role = self.role_obj
        return role.kind if role is not None else ""

    @property
    def role_label(self) -> str:
        role = self.role_obj
        return role.label if role is not None else self.role

    @property
    def has_second_factor(self) -> bool:
        return bool(self.totp_secret_sealed) and self.totp_confirmed_at is not None

    def is_locked_out(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    # What a signed-in session was trusted with. Django signs a session out at its next request when
    # this hash no longer matches, so changing any of these by any route (a service, `confide manage
    # changepassword`, a shell) ends every session of the person, even where no one called
    # accounts.services.do_end_sessions(), which also deletes the rows.
    # (A new set-up code is ended by do_end_sessions() alone: the second factor is set up in the
    # middle of signing in, so it cannot be part of the hash the sign-in stores.)
    TRUST_FIELDS = ("password", "role", "team_id")

    def _get_session_auth_hash(self, secret=None):
        from django.utils.crypto import salted_hmac

        trusted = "\x1f".join(str(getattr(self, name) or "") for name in self.TRUST_FIELDS)
        return salted_hmac("confide.accounts.User.session_auth_hash", trusted, secret=secret,
                           algorithm="sha256").hexdigest()


class Session(AbstractBaseSession):
    """A signed-in (or signing-in) browser. The row's key is a SHA-256 hash of the session key in the
    cookie, never the key itself, so a copy of the database signs nobody in (confide/accounts/sessions.py).
    `user` is who the session belongs to, so all of a person's sessions can be ended at once."""

    session_key = models.CharField(max_length=64, primary_key=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "accounts_session"
