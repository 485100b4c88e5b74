"""Words, not codes (issue 13, point 9): a stored code such as `child_protection` or `secure_link` never
reaches a page as itself; every page a person meets shows its label. The pages are rendered with a
client who has a consent, requests to share (one waiting, one approved and linked), a task, a logged
request from outside and a break-glass opening, in every pack; the visible text (tags, attributes,
scripts and styles stripped) must hold no snake_case word."""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse

from confide.policy import load_pack, vocab
from confide.records.break_glass import ReasonNeeded, do_open_outside
from confide.records.models import Case, Client
from confide.web import describe
from tests.base import ConfideTestCase, add_fixtures, sharing_fixtures

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RTL_NAME = "فاطمة الزهراء"  # fictional
PACKS = ("dvip", "day_mer", "derbyshire", "home_start", "justus")


class VisibleText(HTMLParser):
    """The text a sighted reader sees: no tag, attribute, script or style (an <option>'s words are seen)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _words_of_the_vocabulary() -> frozenset[str]:
    words = set()
    for name in dir(vocab):
        value = getattr(vocab, name)
        if name.isupper() and isinstance(value, (tuple, frozenset)):
            words.update(w for w in value if isinstance(w, str))
    for name in PACKS:
        pack = load_pack(name)
        words.update(pack.services, pack.roles, pack.purposes)
    return frozenset(words)


def codes_in(html: str, usernames=frozenset()) -> list[str]:
    """Each snake_case word in the visible text, and each piece of text (a cell, an option, a list
    item) that is a bare word of the vocabulary, such as `liaison` or `police`, with its context. A
    staff list shows sign-in names (`usernames`), which are what a person types, not codes."""
    text = visible_text(html)
    found = [f"{m.group(0)!r} in \u201c{' '.join(text[max(0, m.start() - 50):m.end() + 30].split())}\u201d"
             for m in CODE.finditer(text)]
    parser = VisibleText()
    parser.feed(html)
    found += [f"{part.strip()!r} on its own" for part in parser.parts
              if part.strip() in VOCABULARY - usernames and not CODE.fullmatch(part.strip())]
    return found


VOCABULARY = _words_of_the_vocabulary()


class VisibleTextTests(ConfideTestCase):
    def test_the_check_sees_a_code_in_text_and_not_in_an_attribute(self):
        self.assertEqual(len(codes_in('<p class="answer_permit">For <b>child_protection</b></p>')), 1)
        self.assertEqual(codes_in('<a href="/x?purpose=child_protection" data-x="secure_link">Child protection</a>'
                                  '<script>var secure_link = 1;</script>'), [])


class LabelTests(ConfideTestCase):
    def test_every_word_of_every_kind_has_words(self):
        for kind, words in (("purpose", vocab.PURPOSES), ("recipient", vocab.RECIPIENT_KINDS),
                            ("grounds", vocab.GROUNDS), ("channel", vocab.CHANNELS), ("data", vocab.DATA),
                            ("obligation", vocab.OBLIGATIONS), ("subject role", vocab.SUBJECT_ROLES)):
            for word in words:
                with self.subTest(kind=kind, word=word):
                    text = describe.word(word)
                    self.assertNotIn("_", text)
                    self.assertTrue(text[:1].isupper(), text)

    def test_a_pack_label_is_used_before_the_core_words(self):
        self.assertEqual(describe.word("person_threatened"),
                         "The person threatened (a named individual the client poses a threat to, 3.10)")
        self.assertEqual(describe.word("wss"), "Women's Support Service")
        self.assertEqual(describe.purpose("child_protection"), "Child protection")
        self.assertEqual(describe.word("secure_link"), "Secure link")
        self.assertEqual(describe.word("childrens_services"), "Children's services")


class PagesShowWordsTests(ConfideTestCase):
    """Every main page, as the people who meet it, in this pack."""

    approver = "manager"  # who approves the second request (None: a pack whose steps the fixture cannot walk)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p.update(add_fixtures(cls.p))
        cls.ids = sharing_fixtures(cls.p, approver=cls.approver)["ids"]
        # A break-glass opening for the manager's review queue: the same-team worker opens the
        # north client's file outside their own cases.
        with contextlib.suppress(ReasonNeeded, Http404):  # a pack that allows no such opening: the queue is empty
            do_open_outside(cls.p["same_team"], cls.p["north_client"].pk, "cover", "Covering for Ada today.")
        cls.rtl = Client.objects.create(display_name=RTL_NAME, team=cls.p["north"])
        rtl_case = Case.objects.create(client=cls.rtl, service=cls.p["case"].service, team=cls.p["north"],
                                       status=Case.Status.OPEN)
        rtl_case.workers.add(cls.p["assigned"])

    def pages(self) -> list[tuple[str, str]]:
        ids, client = self.ids, self.p["client"].pk
        u = reverse
        every = [u("web:home")]
        return {
            "assigned": every + [u("web:client_list"), u("web:client_file", args=[client]),
                                 u("web:related_people", args=[client]), u("web:safe_contact", args=[client]),
                                 u("web:record_of_access", args=[client]), u("web:limits", args=[client]),
                                 u("web:sharing", args=[client]), u("web:share", args=[client]),
                                 u("web:new_consent", args=[client]), u("web:consent", args=[ids["consent_id"]]),
                                 u("web:disclosure", args=[ids["disclosure_id"]]), u("web:tasks"),
                                 u("web:task", args=[ids["task_id"]]), u("web:incoming", args=[ids["request_id"]]),
                                 u("web:new_request", args=[client]), u("web:open_outside"),
                                 u("web:new_referral"), u("web:change_case", args=[self.p["case"].pk]),
                                 u("web:add_note", args=[self.p["case"].pk]), u("partners:directory")],
            "manager": every + [u("web:approvals"), u("web:approve", args=[ids["disclosure_id"]]),
                                u("web:review_queue"), u("web:client_list") + "?purpose=supervision",
                                u("web:tasks")],
            "data_controller": every + [u("web:record_of_access_lookup")],
            "trustee": every,
            "volunteer": every,
            "administrator": every,
        }

    def test_no_page_shows_a_code(self):
        self.client.raise_request_exception = False  # a page that fails is listed with the rest
        found = []
        usernames = frozenset(get_user_model().objects.values_list("username", flat=True))
        for who, urls in self.pages().items():
            if who not in self.p:
                continue
            self.sign_in(who)
            for url in urls:
                page = self.client.get(url, follow=True)
                if page.status_code >= 500:
                    found.append(f"{who} {url}: a server error")
                if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
                    found += [f"{who} {url}: {code}" for code in codes_in(page.content.decode(), usernames)]
        self.assertEqual(found, [], "\n".join(found))


class RightToLeftTests(PagesShowWordsTests):
    """A name written right to left is isolated, so the words around it keep their order."""

    def test_a_right_to_left_name_is_isolated_on_the_list_and_the_file(self):
        self.sign_in("assigned")
        for url in (reverse("web:client_list"), reverse("web:client_file", args=[self.rtl.pk]),
                    reverse("web:home")):
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                self.assertIn(f"<bdi>{RTL_NAME}</bdi>", page.content.decode(), "the name is not in a <bdi>")

    test_no_page_shows_a_code = None  # run once, in PagesShowWordsTests


class DayMerPagesShowWordsTests(PagesShowWordsTests):
    approver = None
    pack_name = "day_mer"


class DerbyshirePagesShowWordsTests(PagesShowWordsTests):
    approver = None
    pack_name = "derbyshire"


class HomeStartPagesShowWordsTests(PagesShowWordsTests):
    pack_name = "home_start"


class JustUsPagesShowWordsTests(PagesShowWordsTests):
    pack_name = "justus"
