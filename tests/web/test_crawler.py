"""A crawler for each kind of person: from the home page, follow every link and submit every form the
pages offer, and check that nothing anyone reaches names a client they may not see, and nothing fails."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from confide.records.models import BreakGlass
from tests.base import (
    CLIENT_NAME,
    DOCUMENT_TEXT,
    NORTH_DOC,
    NORTH_NAME,
    NORTH_NOTE,
    NORTH_PERSON,
    NORTH_SAFE,
    NOTE_TEXT,
    OTHER_CLIENT_NAME,
    OTHER_DOC,
    OTHER_NOTE,
    OTHER_PERSON,
    OTHER_SAFE,
    PERSON_NAME,
    SAFE_NUMBER,
    SEALED_DOC,
    SEALED_TEXT,
    ConfideTestCase,
    add_fixtures,
)

CAP = 400
SEARCHES = ["a", "e", "Zel", "Amb", "Quen"]

CLIENT_DATA = [CLIENT_NAME, PERSON_NAME, NOTE_TEXT, SAFE_NUMBER, DOCUMENT_TEXT.decode()]
NORTH_DATA = [NORTH_NAME, NORTH_PERSON, NORTH_NOTE, NORTH_SAFE, NORTH_DOC.decode()]
OTHER_DATA = [OTHER_CLIENT_NAME, OTHER_PERSON, OTHER_NOTE, OTHER_SAFE, OTHER_DOC.decode()]
SEALED = [SEALED_TEXT, SEALED_DOC.decode()]

# What each person must never reach, by the dvip pack. The north team's unassigned client opens to
# north workers and the manager for cover and supervision (3.08), and the manager may open any file
# for supervision (3.02), so those are not secrets from them. The data controller may open any
# client's file, sealed entries included, for subject access or an audit (9.06, 8.07): under dvip
# nothing is a secret from them, and their crawl checks only that nothing fails.
FORBIDDEN = {
    "assigned": OTHER_DATA + SEALED,
    "same_team": OTHER_DATA + SEALED,
    "other_team": CLIENT_DATA + NORTH_DATA + SEALED,
    "volunteer": CLIENT_DATA + NORTH_DATA + OTHER_DATA + SEALED,
    "manager": SEALED,
    "data_controller": [],
    "trustee": CLIENT_DATA + NORTH_DATA + OTHER_DATA + SEALED,
    "administrator": CLIENT_DATA + NORTH_DATA + OTHER_DATA + SEALED,
}


class Form:
    def __init__(self, action: str, method: str):
        self.action, self.method = action, method
        self.fields: list[tuple[str, str]] = []   # defaults, as a browser would send them
        self.selects: dict[str, list[str]] = {}   # every option of each select
        self.radios: dict[str, list[str]] = {}
        self.search: list[str] = []                # names of search boxes
        self.files: list[str] = []
        self.texts: list[str] = []                 # text inputs and textareas, for plausible values
        self.buttons: list[tuple[str, str]] = []


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        form = self._form
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            name, value = a["name"], a.get("value") or ""
            if kind in ("checkbox",):
                if "checked" in a:
                    form.fields.append((name, value or "on"))
            elif kind == "radio":
                form.radios.setdefault(name, []).append(value)
                if "checked" in a:
                    form.fields.append((name, value))
            elif kind == "file":
                form.files.append(name)
            elif kind == "submit":
                form.buttons.append((name, value))
            else:
                form.fields.append((name, value))
                if kind == "search":
                    form.search.append(name)
                elif kind == "text" and not value:
                    form.texts.append(name)
        elif tag == "button" and a.get("name"):
            form.buttons.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            self._option = a.get("value", "")
            self._select[1].append(self._option)
            if "selected" in a:
                self._select[2].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            form.texts.append(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            self._form.selects[name] = options
            chosen = selected[:1] or options[:1]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None and data.strip():
            self._form.fields.append((self._textarea, data))
            self._form.texts.remove(self._textarea)
            self._textarea = None


def normalise(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/account/", "/static/")):
        return None  # sign-out and lock are left alone; static files hold no client data
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


class Crawler:
    def __init__(self, test, who: str, client_numbers: list[int]):
        self.test, self.who, self.client_numbers = test, who, client_numbers
        self.browser = test.client
        self.seen: set[str] = set()
        self.visited: list[tuple[str, str, int]] = []
        self.queue: list[tuple[str, str, dict | None]] = [("GET", "/", None)]
        self.requests = 0

    def key(self, method: str, url: str, data: dict | None) -> str:
        body = "" if data is None else urlencode(sorted((k, str(v)) for k, v in data.items() if k != "file"), doseq=True)
        return f"{method} {url} {body}"

    def run(self):
        while self.queue and self.requests < CAP:
            method, url, data = self.queue.pop(0)
            key = self.key(method, url, data)
            if key in self.seen:
                continue
            self.seen.add(key)
            self.fetch(method, url, data)

    def fetch(self, method: str, url: str, data: dict | None):
        self.requests += 1
        if method == "POST":
            payload = dict(data or {})
            for name in payload.pop("__files__", []):
                payload[name] = SimpleUploadedFile("crawl.txt", b"A plain letter from the crawler.", "text/plain")
            response = self.browser.post(url, payload)
        else:
            response = self.browser.get(url)
        self.visited.append((method, url, response.status_code))
        self.check(method, url, response)
        if response.status_code in (301, 302):
            target = normalise(urljoin(url, response["Location"]))
            if target:
                self.queue.append(("GET", target, None))
            return
        if "text/html" not in response.get("Content-Type", ""):
            return
        parser = PageParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = normalise(urljoin(url, href))
            if target:
                self.queue.append(("GET", target, None))
        for form in parser.forms:
            self.submit(url, form)

    def check(self, method: str, url: str, response):
        where = f"{self.who}: {method} {url} ({response.status_code})"
        self.test.assertLess(response.status_code, 500, where)
        body = response.getvalue()  # pages and attachments alike
        for secret in FORBIDDEN[self.who]:
            self.test.assertNotIn(secret.encode(), body, f"{where} shows {secret!r}")

    def submit(self, page_url: str, form: Form):
        action = normalise(urljoin(page_url, form.action or page_url))
        if action is None:
            return
        if form.method == "get":
            base = action.split("?")[0]
            self.queue.append(("GET", normalise(f"{base}?{urlencode(form.fields)}"), None))
            for name in form.search:
                for query in SEARCHES:
                    fields = [(k, v) for k, v in form.fields if k != name] + [(name, query)]
                    self.queue.append(("GET", normalise(f"{base}?{urlencode(fields)}"), None))
            for name, options in form.selects.items():
                for option in options:
                    fields = [(k, v) for k, v in form.fields if k != name] + [(name, option)]
                    self.queue.append(("GET", normalise(f"{base}?{urlencode(fields)}"), None))
            if "client" in form.texts:  # find a record of access by number
                for number in self.client_numbers:
                    for option in form.selects.get("purpose", []):
                        fields = [(k, v) for k, v in form.fields if k not in ("client", "purpose")]
                        fields += [("client", str(number)), ("purpose", option)]
                        self.queue.append(("GET", normalise(f"{base}?{urlencode(fields)}"), None))
            return
        if action.split("?")[0] == reverse("web:open_outside"):
            for number in self.client_numbers:
                for option in form.selects.get("purpose", []):
                    self.queue.append(("POST", action, {"client": number, "purpose": option, "reason": ""}))
            return
        data: dict = {}
        for name, value in form.fields:
            data.setdefault(name, []).append(value)
        for name in form.texts:
            data[name] = ["Met at the office on Monday; the next appointment was agreed."]
        for name, values in form.radios.items():
            data.setdefault(name, values[:1])
        if "about_client" not in data and "categories" in data:
            data["about_client"] = ["on"]
        if form.files:
            data["__files__"] = form.files
            data.setdefault("description", ["A letter"])
        flat = {k: (v if k == "__files__" else (v if len(v) > 1 else v[0])) for k, v in data.items()}
        if form.buttons:
            for name, value in form.buttons:
                self.queue.append(("POST", action, {**flat, name: value}))
        else:
            self.queue.append(("POST", action, flat))


class CrawlerTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p.update(add_fixtures(cls.p))

    def crawl(self, who: str) -> Crawler:
        self.sign_in(who)
        # Every client's number and one past the last (ids are not 1, 2, 3 on PostgreSQL, whose
        # sequences run on between tests), so the crawler tries each file without using up its budget.
        known = sorted(c.pk for c in (self.p["client"], self.p["north_client"], self.p["other_client"]))
        numbers = known + [known[-1] + 1]
        crawler = Crawler(self, who, numbers)
        crawler.run()
        self.assertFalse(BreakGlass.objects.exists(), "the crawler broke no glass: every reason was empty")
        return crawler

    def reached(self, crawler: Crawler, *paths: str):
        got = {url.split("?")[0] for method, url, status in crawler.visited if status == 200}
        for path in paths:
            self.assertIn(path, got, f"{crawler.who} never reached {path}")

    def test_the_assigned_worker(self):
        crawler = self.crawl("assigned")
        client, case, doc = self.p["client"], self.p["case"], self.p["document"]
        self.reached(crawler, "/", reverse("web:client_list"), reverse("web:open_outside"),
                     reverse("web:client_file", args=[client.pk]), reverse("web:related_people", args=[client.pk]),
                     reverse("web:safe_contact", args=[client.pk]), reverse("web:record_of_access", args=[client.pk]),
                     reverse("web:add_note", args=[case.pk]), reverse("web:add_document", args=[case.pk]),
                     reverse("web:add_risk_assessment", args=[case.pk]), reverse("web:download_document", args=[doc.pk]),
                     reverse("web:client_file", args=[self.p["north_client"].pk]))  # for cover, via the list
        posts = [url for method, url, status in crawler.visited if method == "POST" and status == 302]
        self.assertIn(reverse("web:add_note", args=[case.pk]), posts, "a note was written through the form")
        self.assertGreater(len(crawler.visited), 40)

    def test_a_worker_in_the_same_team(self):
        crawler = self.crawl("same_team")
        self.reached(crawler, "/", reverse("web:client_list"),
                     reverse("web:client_file", args=[self.p["client"].pk]))  # opened for cover, not listed on home

    def test_a_worker_in_another_team(self):
        crawler = self.crawl("other_team")
        other = self.p["other_client"]
        self.reached(crawler, "/", reverse("web:client_file", args=[other.pk]),
                     reverse("web:related_people", args=[other.pk]),
                     reverse("web:download_document", args=[self.p["other_doc"].pk]))
        refused = [url for method, url, status in crawler.visited if method == "POST" and status in (400, 404)]
        self.assertTrue(refused, "the open-another-file form was tried and refused")

    def test_a_volunteer(self):
        crawler = self.crawl("volunteer")
        self.reached(crawler, "/", reverse("web:client_list"), reverse("web:open_outside"))

    def test_a_manager(self):
        crawler = self.crawl("manager")
        self.reached(crawler, "/", reverse("web:review_queue"), reverse("web:record_of_access_lookup"),
                     reverse("web:client_file", args=[self.p["other_client"].pk]))  # supervision, by number

    def test_the_data_controller(self):
        crawler = self.crawl("data_controller")
        self.reached(crawler, "/", reverse("web:record_of_access_lookup"),
                     reverse("web:record_of_access", args=[self.p["other_client"].pk]),  # audit, by number
                     reverse("web:client_file", args=[self.p["other_client"].pk]))

    def test_a_trustee(self):
        crawler = self.crawl("trustee")
        self.reached(crawler, "/")
        self.assertNotIn(reverse("web:client_list"), {url.split("?")[0] for _, url, s in crawler.visited if s == 200})

    def test_an_administrator(self):
        crawler = self.crawl("administrator")
        self.reached(crawler, "/")

    def test_the_crawler_finds_a_leak_when_there_is_one(self):
        # The check itself can fail: the assigned worker's own client is a secret from other_team.
        self.sign_in("assigned")
        crawler = Crawler(self, "other_team", [])
        with self.assertRaises(AssertionError):
            crawler.fetch("GET", reverse("web:client_file", args=[self.p["client"].pk]), None)
