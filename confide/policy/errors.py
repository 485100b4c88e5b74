"""Errors of the policy engine. Each `str()` is one line naming the field (and for packs the file
and line), so the CLI can print it as it is and a person can act on it. They are ConfideErrors
(confide/errors.py, which imports nothing of Confide's, so the engine stays pure Python): `message`
is the message alone, `field` the field of the pack or request it is about."""

from __future__ import annotations

from confide.errors import ConfideError


class PolicyError(ConfideError):
    """Base of every error the policy engine raises on purpose."""

    code = "policy_error"


class PackError(PolicyError):
    """A pack that does not fit the pack schema. It never loads: a broken pack denies everything
    by not existing, rather than permitting by accident."""

    code = "pack_invalid"
    status = 500  # the installation's own pack: nothing the person asking could change

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}".replace("\n", " ")


class RequestError(PolicyError):
    """A request that does not fit the decision contract (unknown field, wrong type, unknown word)."""

    code = "request_invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}".replace("\n", " ")
