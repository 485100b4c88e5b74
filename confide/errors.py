"""One error type for everything Confide refuses on purpose, as Zulip's JsonableError.

A service raises a subclass of ConfideError (ConsentError, DisclosureError, ...) with the message a
person reads, and, where it is about one thing they typed, the form `field` it is about. The web
layer shows it in one place (confide/web/errors.py: beside that field, or as a calm page with its
`status`), the command line in another (confide/cli.py: "error: <message>", a non-zero exit).

`code` is a short stable identifier for tests and logs ("reason_too_short", "not_found"), never
client data; the message never holds client data either, as it may be shown and logged.

This module is at the bottom of the import graph: it imports nothing from Confide, so the policy
engine (pure Python) can use it too.
"""

from __future__ import annotations


class ConfideError(Exception):
    """A refusal Confide means: what was wrong, in plain words, and where.

    - message: one sentence a person can act on (UK English);
    - field: the form field it is about, or None for the request as a whole;
    - code: a short stable identifier (a subclass sets a default);
    - status: the HTTP status a page answering it carries (400 unless a subclass or raise says
      403 for not allowed, 404 for not there, 409 for a conflict with the record's state).
    """

    code: str = "invalid"
    status: int = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field or None
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message

    def sentence(self) -> str:
        """The message as a sentence: a capital letter first, a full stop (or its own ending) last."""
        text = self.message.strip()
        if not text:
            return "That could not be done."
        text = text[:1].upper() + text[1:]
        return text if text.endswith((".", "?", "!")) else text + "."
