"""Sign in (password, then second factor), the lock screen and sign out."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from confide.accounts import services
from confide.accounts.forms import CodeForm, PasswordForm, SetUpForm, UnlockForm
from confide.accounts.middleware import LAST_SEEN, allowed_when_locked, do_lock_session, unlock_session
from confide.accounts.models import Organisation
from confide.accounts.sessions import PENDING_USER
from confide.audit.actions import Action

PENDING_SINCE = "confide_pending_since"
PENDING_SECRET = "confide_pending_totp_secret"  # noqa: S105 -- a session key name, not a secret
PENDING_SECONDS = 300
LOCKED_MESSAGE = ("This account is locked after too many failed attempts. Try again in "
                  "{minutes} minutes, or ask your manager to unlock it.")


def _finish_sign_in(request, user, second_factor: str):
    login(request, user)  # rotates the session key
    request.session[LAST_SEEN] = time.time()
    services.do_record_signed_in(user, second_factor)
    return redirect(settings.LOGIN_REDIRECT_URL)


def _locked_out(request):
    """End the half-signed-in session and say the account is locked."""
    request.session.flush()
    return render(request, "accounts/sign_in.html", {
        "form": PasswordForm(), "error": LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCKOUT_MINUTES),
    }, status=400)


def _pending_user(request):
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if user_id is None or time.time() - since > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = PasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.do_check_password(form.cleaned_data["username"], form.cleaned_data["password"])
        if result.outcome == "ok":
            user = result.user
            if settings.DEMO_MODE and Organisation.objects.filter(pk=1, is_demo=True).exists():
                return _finish_sign_in(request, user, "waived_demo_mode")
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_SINCE] = time.time()
            return redirect("accounts:second_factor")
        if result.outcome == "locked":
            error = LOCKED_MESSAGE.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        else:
            error = "That username and password do not match an account. Check them and try again."
    status = 400 if error or form.errors else 200
    return render(request, "accounts/sign_in.html", {"form": form, "error": error}, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    setting_up = not user.has_second_factor
    if setting_up:
        secret = request.session.get(PENDING_SECRET) or services.new_totp_secret()
        request.session[PENDING_SECRET] = secret
    if setting_up and not services.has_live_setup_code(user):
        services.do_refuse_second_factor_setup(user)
        request.session.flush()
        return render(request, "accounts/no_setup_code.html", status=403)
    form = (SetUpForm if setting_up else CodeForm)(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if setting_up:
            outcome = services.do_confirm_second_factor(user, secret, form.cleaned_data["setup_code"], code)
            if outcome == "ok":
                for key in (PENDING_USER, PENDING_SINCE, PENDING_SECRET):
                    request.session.pop(key, None)
                return _finish_sign_in(request, user, "totp_set_up")
            if outcome == "locked":
                return _locked_out(request)
            error = ("That set-up code or authenticator code does not match. Check the set-up code, check the "
                     "time on your phone is right, and enter the newest code from the app.")
        else:
            outcome = services.do_check_second_factor(user, code)
            if outcome == "ok":
                for key in (PENDING_USER, PENDING_SINCE):
                    request.session.pop(key, None)
                return _finish_sign_in(request, user, "totp")
            if outcome == "locked":
                return _locked_out(request)
            error = "That code does not match. Enter the newest code your authenticator app shows."
    context = {"form": form, "error": error, "setting_up": setting_up, "username": user.get_username()}
    if setting_up:
        uri = services.provisioning_uri(user, secret)
        # An inline SVG is markup, not script: the strict Content-Security-Policy allows it.
        context["qr_svg"] = mark_safe(segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app"))  # noqa: S308 -- segno's own output
        context["secret_groups"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/second_factor.html", context, status=400 if error or form.errors else 200)


@allowed_when_locked
@require_http_methods(["GET", "POST"])
def lock_screen(request):
    """Shows nothing but who is signed in: no client data on a locked screen (DVIP 6.06)."""
    if request.method == "GET":
        do_lock_session(request, request.GET.get("reason") if request.GET.get("reason") == "idle" else "by_user")
        return render(request, "accounts/lock.html", {"form": UnlockForm(), "locked_page": True})
    form = UnlockForm(request.POST)
    error = ""
    if form.is_valid():
        result = services.do_check_password(request.user.get_username(), form.cleaned_data["password"],
                                         success_action=Action.SESSION_UNLOCKED)
        if result.outcome == "ok":
            unlock_session(request)
            return redirect(settings.LOGIN_REDIRECT_URL)
        if result.outcome == "locked":
            logout(request)
            return _locked_out(request)
        error = "That password is not right. Try again, or sign out."
    return render(request, "accounts/lock.html", {"form": form, "error": error, "locked_page": True}, status=400)


@require_POST
def keep_alive(request):
    """The idle-lock script says the person is typing or clicking on an open page. Answers 204;
    the idle-lock middleware has already refused (with a redirect) a session that is locked."""
    return HttpResponse(status=204)


@login_not_required
@allowed_when_locked
@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.do_record_signed_out(request.user)
    logout(request)
    return redirect("accounts:login")
