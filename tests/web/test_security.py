"""The security baseline: deny by default, CSRF, headers, and no client data in errors or logs."""

from __future__ import annotations

import io
import logging

from django.test import Client, override_settings
from django.urls import URLPattern, include, path, reverse

from confide.web.logfilters import StripQueryString
from confide.web.middleware import CONTENT_SECURITY_POLICY
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase, every_url_pattern

# The only pages a person who has not signed in may reach, and what each answers to a GET.
PUBLIC = {
    "accounts:login": 200,
    "accounts:second_factor": 302,  # back to sign-in: there is no password step in this session
    "accounts:logout": 405,         # sign-out is POST only
    # A partner agency's secure link needs no sign-in: the token is the key, and a wrong one
    # finds nothing (tests/sharing). A download is POST only, so a link-checker spends nothing.
    "web:shared": 404,
    "web:shared_download": 405,
}


def example_url(name: str, pattern: URLPattern) -> str:
    kwargs = {key: 1 for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


class DenyByDefaultTests(ConfideTestCase):
    def test_every_url_needs_a_login_except_the_sign_in_pages(self):
        seen = set()
        for name, pattern in every_url_pattern():
            seen.add(name)
            url = example_url(name, pattern)
            with self.subTest(url=url):
                response = self.client.get(url)
                if name in PUBLIC:
                    self.assertEqual(response.status_code, PUBLIC[name])
                else:
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith(reverse("accounts:login") + "?next="))
                post = self.client.post(url)
                if name not in PUBLIC:
                    self.assertEqual(post.status_code, 302, "a POST is refused to anonymous people too")
        self.assertTrue(set(PUBLIC) <= seen, "the allow-list names only real pages")
        self.assertGreater(len(seen), len(PUBLIC), "the walk found the protected pages")


class CsrfTests(ConfideTestCase):
    def test_a_post_without_the_token_is_refused_and_nothing_happens(self):
        browser = Client(enforce_csrf_checks=True)
        response = browser.post(reverse("accounts:login"), {"username": "assigned", "password": "assigned-password-1"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "That form had expired", status_code=403)
        self.assertNotIn("confide_pending_user", browser.session)

    def test_origin_null_is_accepted_only_from_the_same_origin(self):
        # Referrer-Policy: no-referrer makes browsers send Origin: null on POST; Fetch Metadata
        # tells Confide's own forms from another site's.
        for fetch_site, expected in (("same-origin", 302), ("cross-site", 403), ("same-site", 403), (None, 403)):
            browser = Client(enforce_csrf_checks=True)
            token = str(browser.get(reverse("accounts:login")).context["csrf_token"])
            headers = {"Origin": "null"} | ({"Sec-Fetch-Site": fetch_site} if fetch_site else {})
            response = browser.post(reverse("accounts:login"), {"username": "assigned", "password": "assigned-password-1",
                                                                "csrfmiddlewaretoken": token}, headers=headers)
            with self.subTest(fetch_site=fetch_site):
                self.assertEqual(response.status_code, expected)
        browser = Client(enforce_csrf_checks=True)
        browser.get(reverse("accounts:login"))
        no_token = browser.post(reverse("accounts:login"), {"username": "assigned", "password": "assigned-password-1"},
                                headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(no_token.status_code, 403, "the token is still required")

    def test_the_token_from_the_page_is_accepted(self):
        browser = Client(enforce_csrf_checks=True)
        page = browser.get(reverse("accounts:login"))
        token = page.context["csrf_token"]
        response = browser.post(reverse("accounts:login"),
                                {"username": "assigned", "password": "assigned-password-1", "csrfmiddlewaretoken": str(token)})
        self.assertEqual(response.status_code, 302)


class HeaderTests(ConfideTestCase):
    def assert_strict_headers(self, response):
        self.assertEqual(response["Content-Security-Policy"], CONTENT_SECURITY_POLICY)
        self.assertIn("default-src 'none'", response["Content-Security-Policy"])
        self.assertNotIn("unsafe-inline", response["Content-Security-Policy"])
        directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
        self.assertEqual(directives["script-src"], "'self'", "no inline script, no eval, no other host")
        self.assertEqual(directives["style-src"], "'self'")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "no-referrer")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("frame-ancestors 'none'", response["Content-Security-Policy"])
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_headers_on_public_and_client_data_pages(self):
        self.assert_strict_headers(self.client.get(reverse("accounts:login")))
        self.sign_in("assigned")
        self.assert_strict_headers(self.client.get(reverse("web:client_file", args=[self.p["client"].pk])))
        self.assert_strict_headers(self.client.get(reverse("web:client_file", args=[999999])))

    def test_hsts_only_over_https(self):
        self.assertNotIn("Strict-Transport-Security", self.client.get(reverse("accounts:login")))
        secure = self.client.get(reverse("accounts:login"), secure=True)
        self.assertEqual(secure["Strict-Transport-Security"], "max-age=31536000; includeSubDomains")

    def test_cookies_are_http_only_and_same_site_strict(self):
        self.client.post(reverse("accounts:login"), {"username": "assigned", "password": "assigned-password-1"})
        cookie = self.client.cookies["sessionid"]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["samesite"], "Strict")


class TemplateTests(ConfideTestCase):
    def test_no_template_has_inline_script_handlers_or_styles(self):
        from pathlib import Path

        import confide

        templates = list(Path(confide.__file__).parent.glob("**/templates/**/*.html"))
        self.assertGreater(len(templates), 5)
        for template in templates:
            text = template.read_text(encoding="utf-8")
            with self.subTest(template=template.name):
                self.assertNotRegex(text, r"<script(?![^>]*\bsrc=)", "inline script")
                self.assertNotRegex(text, r"\son[a-z]+\s*=", "event-handler attribute")
                self.assertNotRegex(text, r"\sstyle\s*=", "inline style")
                self.assertNotRegex(text, r"https?://", "nothing from another host")


def boom(request):
    raise ValueError(f"integrity problem with {CLIENT_NAME}: {NOTE_TEXT}")


urlpatterns = [path("boom/", boom), path("", include("confide.urls"))]
handler500 = "confide.web.errors.server_error"


class NoClientDataInErrorsOrLogsTests(ConfideTestCase):
    def capture_console(self):
        """Point Confide's own console handler (the one production uses) at a buffer."""
        buffer = io.StringIO()
        handlers = [h for h in logging.getLogger().handlers
                    if any(isinstance(f, StripQueryString) for f in h.filters)]
        self.assertTrue(handlers, "the console handler with the content filter is configured")
        for handler in handlers:
            old = handler.setStream(buffer)
            self.addCleanup(handler.setStream, old)
        return buffer

    def test_a_refused_file_looks_like_a_missing_one(self):
        self.sign_in("other_team")
        refused = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        missing = self.client.get(reverse("web:client_file", args=[987654]))
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(refused.content, missing.content)
        self.assertNotContains(refused, CLIENT_NAME, status_code=404)

    @override_settings(ROOT_URLCONF=__name__, DEBUG=False)
    def test_a_server_error_shows_and_logs_no_client_data(self):
        buffer = self.capture_console()
        self.sign_in("assigned")
        self.client.raise_request_exception = False
        response = self.client.get("/boom/?q=" + CLIENT_NAME.replace(" ", "+"))
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)
        logged = buffer.getvalue()
        self.assertIn("ValueError", logged, "the error itself is logged")
        for secret in (CLIENT_NAME, NOTE_TEXT, "Zelda", "Quillfeather"):
            self.assertNotIn(secret, response.content.decode())
            self.assertNotIn(secret, logged)

    def test_a_whole_working_session_logs_no_client_data(self):
        buffer = self.capture_console()
        self.client.post(reverse("accounts:login"), {"username": "assigned", "password": "wrong-password-x"})
        self.sign_in("assigned")
        for url in (reverse("web:home"), reverse("web:client_file", args=[self.p["client"].pk]),
                    reverse("web:record_of_access", args=[self.p["client"].pk]),
                    reverse("web:home") + "?q=" + CLIENT_NAME):
            self.client.get(url)
        self.sign_in("other_team")
        self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        logged = buffer.getvalue()
        for secret in (CLIENT_NAME, NOTE_TEXT, "Quillfeather"):
            self.assertNotIn(secret, logged)

    def test_a_secure_links_secret_never_reaches_the_log(self):
        # Django logs the address of every refused request; a spent or wrong link's address holds
        # its token, which must not be written down anywhere a log reader would find it.
        buffer = self.capture_console()
        token = "Zx9-secret-token-of-a-partner-link-0123456789"
        self.client.get(reverse("web:shared", args=[token]))
        self.client.post(reverse("web:shared_download", args=[token, 1]))
        logged = buffer.getvalue()
        self.assertIn("/shared/…", logged, "the refusal itself is logged")
        self.assertNotIn(token, logged)
