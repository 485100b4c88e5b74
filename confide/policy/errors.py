"""Errors of the policy engine. Each `str()` is one line naming the field (and for packs the file
and line), so the CLI can print it as it is and a person can act on it."""

from __future__ import annotations


class PolicyError(Exception):
    """Base of every error the policy engine raises on purpose."""


class PackError(PolicyError):
    """A pack that does not fit the pack schema. It never loads: a broken pack denies everything
    by not existing, rather than permitting by accident."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        what = f"{field}: " if field else ""
        super().__init__(f"{where}{what}{message}".replace("\n", " "))


class RequestError(PolicyError):
    """A request that does not fit the decision contract (unknown field, wrong type, unknown word)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}".replace("\n", " "))
