"""The breach register in real Chromium with axe-core: the data controller reviews a break-glass
opening as a concern and records a breach from it; a missing answer is refused beside its field; the
breach shows its ICO deadline in Europe/London time; the decision not to report without a rationale is
refused, then recorded; the register lists it. Every page on the way: zero axe violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_breach_from_a_review_and_decide(page, people):  # noqa: F811
    from confide.breaches.models import Breach
    from confide.records.break_glass import do_open_outside, do_review_break_glass

    _client, glass = do_open_outside(people["same_team"], people["other_client"].pk, "emergency",
                                     "Client rang in crisis; worker on leave.")
    do_review_break_glass(people["data_controller"], glass, "concern", "Looked at more than was needed.")

    sign_in_with_totp(page, "controller", "controller-password-1")
    page.goto(f"/reviews/{glass.pk}/")
    page.get_by_role("link", name="Record a breach from this review").click()
    page.wait_for_url("**/breaches/new/?review=*")
    assert shows(page, f"recorded from break-glass review {glass.pk}")
    assert_accessible(page, "record a breach")

    aware = timezone.localtime(timezone.now() - dt.timedelta(hours=2))
    page.get_by_label("Date the organisation became aware").fill(aware.date().isoformat())
    page.get_by_label("Time it became aware").fill(aware.strftime("%H:%M"))
    page.get_by_label("Case notes").check()
    page.get_by_label("Not known yet").check()
    # Unlikely to result in a risk: the one case Art 33(1) lets go unreported (decided below).
    page.get_by_label("Unlikely to result in a risk to people's rights and freedoms").check()
    page.get_by_role("button", name="Record the breach").click()
    assert "Say what happened" in page.get_by_role("alert").inner_text()
    assert not Breach.objects.exists()
    assert_accessible(page, "record a breach: what happened missing")

    page.get_by_label("What happened").fill("A worker opened a file outside their work without need.")
    page.get_by_role("button", name="Record the breach").click()
    page.wait_for_url("**/breaches/*/")
    breach = Breach.objects.get()
    assert breach.opened_from_id == glass.pk
    main = page.get_by_role("main").inner_text()
    assert "ICO deadline" in main and "(Europe/London)" in main and "left" in main
    assert CLIENT_NAME not in main
    assert_accessible(page, "the breach")

    page.get_by_role("group", name="Is the breach reported").get_by_label("Do not report it").check()
    page.get_by_role("button", name="Record the ICO decision").click()
    assert "Art 33(5)" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "the breach: rationale missing")
    page.locator("#id_ico-ico_rationale").fill("Contained at once; no one outside saw it.")
    page.get_by_role("button", name="Record the ICO decision").click()
    assert shows(page, "The ICO decision is recorded.")
    assert shows(page, "Decided not to report it")

    page.goto("/breaches/")
    assert shows(page, f"Breach {breach.pk}")
    assert_accessible(page, "the breach register")
