"""In-app notices, and the one email that says only that something is waiting.

`notify` is called by the do_* function whose change is worth telling someone about, inside its
transaction: if that change rolls back, so does the notice, and the caller's audit event covers it.
The words are fixed sentences the caller chooses ("Your request to share information was
approved"), never a client's name, number or anything they said: a notice is counted in every page's
header, listed on the notices page and may be emailed about. Its link is a page inside Confide,
where the gate decides afresh what the reader may see.

This app sits just above audit: it imports nothing from records or sharing (they import it).
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from confide import conf
from confide.accounts.models import current_organisation
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.notices.models import Notice

WORDS_MAX: int = Notice._meta.get_field("words").max_length or 200
LINK_MAX: int = Notice._meta.get_field("link").max_length or 200
# How many notices the notices page lists, newest first.
PAGE = 50


class NoticeError(ConfideError):
    """A notice that is not there (or not this person's: the same answer)."""

    code = "notice_not_found"
    status = 404


def notify(user, kind: str, words: str, link: str = "", object_type: str = "", object_id: int | None = None
           ) -> Notice | None:
    """Tell `user` (a person or their id) something, once: a notice about a thing (object_type and
    object_id) already given to them for the same kind is not given again. Runs in the caller's
    transaction. Returns the new notice, or None if there was nobody to tell or it was already told."""
    user_id = getattr(user, "pk", user)
    if user_id is None:
        return None
    if kind not in Notice.Kind.values:
        raise ValueError(f"not a kind of notice: {kind!r}")
    if not words.strip() or len(words) > WORDS_MAX:
        raise ValueError(f"a notice's words are one short sentence of at most {WORDS_MAX} characters")
    if link and (not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX):
        raise ValueError("a notice links to a page inside Confide only")
    fields = {"words": words, "link": link}
    if object_id is None:
        return Notice.objects.create(user_id=user_id, kind=kind, object_type=object_type, **fields)
    notice, made = Notice.objects.get_or_create(user_id=user_id, kind=kind, object_type=object_type,
                                                object_id=object_id, defaults=fields)
    return notice if made else None


def unread_count(user) -> int:
    """How many of this person's notices they have not opened: one indexed query (notices_unread)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notices_for(user, limit: int = PAGE) -> list[Notice]:
    """This person's newest notices, unread and read, for the notices page."""
    return list(Notice.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[:limit])


def _notice_id(value) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def do_mark_read(user, notice_id) -> Notice:
    """Mark one of this person's notices read (opening it does). Someone else's notice, or one that
    does not exist, is refused alike."""
    pk = _notice_id(notice_id)
    with transaction.atomic(durable=True):
        notice = Notice.objects.select_for_update().filter(pk=pk, user_id=user.pk).first() if pk else None
        if notice is None:
            raise NoticeError("That notice is not there: it may have been for someone else.")
        if notice.read_at is None:
            notice.read_at = timezone.now()
            notice.save(update_fields=["read_at"])
            record_event(user, Action.NOTICE_READ, object_type="notice", object_id=notice.pk,
                         detail={"kind": notice.kind})
    return notice


def do_mark_all_read(user) -> int:
    """Mark every unread notice of this person's read; how many there were."""
    with transaction.atomic(durable=True):
        count = Notice.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
        if count:
            record_event(user, Action.NOTICES_ALL_READ, object_type="notice", detail={"count": count})
    return count


# The email ------------------------------------------------------------------------------------------

def email_words(count: int, site: str) -> tuple[str, str]:
    """The subject and body of the reminder: how many things, and where Confide is. Nothing else:
    not what they are, not who they are about (an inbox is read on phones, shared and forwarded)."""
    things = "1 thing" if count == 1 else f"{count} things"
    subject = f"Confide: you have {things} waiting"
    body = (f"You have {things} waiting in Confide.\n\n"
            f"Sign in to see {'it' if count == 1 else 'them'}: {site}\n\n"
            "This email never says what is waiting or who it is about. If you did not expect it, tell your manager.\n")
    return subject, body


def do_email_reminders(site: str) -> tuple[int, int]:
    """If the organisation has chosen email reminders, send each person who has unread notices not
    yet emailed about ONE email carrying only the count and the site's address; mark their unread
    notices emailed, so nobody is emailed twice about the same notices. Returns (sent, failed)."""
    organisation = current_organisation()
    if organisation is None or not organisation.email_reminders:
        return 0, 0
    waiting = (Notice.objects.filter(read_at__isnull=True, user__is_active=True).exclude(user__email="")
               .values("user_id", "user__email")
               .annotate(unread=Count("id"), new=Count("id", filter=Q(emailed_at__isnull=True)))
               .filter(new__gt=0).order_by("user_id"))
    sent = failed = 0
    for row in waiting:
        subject, body = email_words(row["unread"], site)
        try:
            send_mail(subject, body, None, [row["user__email"]], fail_silently=False)
        except (OSError, smtplib.SMTPException):
            failed += 1  # tried again the next time: its notices are not marked emailed
            continue
        with transaction.atomic(durable=True):
            marked = Notice.objects.filter(user_id=row["user_id"], read_at__isnull=True,
                                           emailed_at__isnull=True).update(emailed_at=timezone.now())
            record_event(None, Action.NOTICES_EMAILED, object_type="user", object_id=row["user_id"],
                         detail={"unread": row["unread"], "marked": marked})
        sent += 1
    return sent, failed


def site_address() -> str:
    """Where Confide is, for the email: CONFIDE_SITE_URL if set, otherwise the first allowed host."""
    configured = conf.env_str("CONFIDE_SITE_URL", "")
    if configured:
        return configured
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return f"https://{hosts[0]}/" if hosts else ""
