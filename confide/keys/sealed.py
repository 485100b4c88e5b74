"""Sealed columns: the one way a model's ciphertext is written, read, or said to be unreadable.

Every column that holds something sealed (`*_sealed`) is read and written through a `Sealed`
attribute declared on its model beside it: `entry.body`, `person.details`, `safe_contact.details`,
`consent.given_by_name`, `user.totp_secret` and the rest. Assigning to the attribute seals the
value into its column (save the column as usual); reading it opens the column once per object.

**One context rule.** Each ciphertext is bound to its client (confide/keys adds the client's number)
and to what it is: `<record>:<ref>:<part>`, where `<record>` names the kind of record, `<ref>` is its
random `ref` (or its parent's, for a part of a parent record) and `<part>` the column (e.g.
`note:<ref>:body`, `disclosure:<ref>:approval:<approver>`). A client's own fields carry no ref
(`client:name`), and the installation's secrets (not any client's) use the account's number
(`user:<pk>:totp_secret`). These are the strings the data was sealed with: changing one makes
existing data unreadable, so they are written here, in the declarations, and nowhere else.

**One placeholder.** Once a client's data key is destroyed (crypto-shredding, retention), or a
ciphertext does not open, every sealed column of theirs reads as UNREADABLE (details read as
`{<field>: UNREADABLE}`; a file's bytes and a date of birth read as None), never as an error page.
A master key that does not match the key store is still an error: it is no single record's fault.
An installation secret (a TOTP secret) never reads as the placeholder: it is no text to show.

No model is imported here; models declare their columns with it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
from typing import Any

from confide.keys import KeyDestroyed, KeyStore, KeyStoreError, WrongMasterKey
from confide.keys.runtime import key_store

logger = logging.getLogger(__name__)

UNREADABLE = "This information can no longer be read."


def _text_in(value: Any) -> str:
    return str(value)


def _json_in(value: Any) -> str:
    return json.dumps(value)


def _date_in(value: Any) -> str:
    return value.isoformat()


# How a value becomes the text that is sealed, and back: (in, out).
_KINDS: dict[str, tuple[Callable[[Any], str], Callable[[str], Any]]] = {
    "text": (_text_in, str),
    "json": (_json_in, json.loads),
    "date": (_date_in, date.fromisoformat),
}
BYTES = "bytes"  # sealed as they are (an uploaded file): no text


class Sealed:
    """A sealed column of a model, read and written as its clear value.

    `column` is the model field holding the ciphertext; `record`, `ref` and `part` make its context
    (`ref` an attribute path on the instance, None for a client's own fields; `part` may name the
    instance's attributes as `{o.kind}`); `client` is the attribute path to the client's number, or
    None for the installation's own secrets. `kind` is "text", "json", "date" or "bytes"; `shown_in`
    is the field of a "json" value that carries the placeholder when it cannot be read."""

    def __init__(self, column: str, record: str, part: str, *, ref: str | None = "ref",
                 client: str | None = "client_id", kind: str = "text", shown_in: str = "name"):
        if kind != BYTES and kind not in _KINDS:
            raise ValueError(f"unknown kind of sealed value {kind!r}")
        self.column, self.record, self.part, self.kind = column, record, part, kind
        self._ref = attrgetter(ref) if ref else None
        self._client = attrgetter(client) if client else None
        self.shown_in = shown_in
        self.name = self._cache = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name, self._cache = name, f"_clear_{name}"
        self._owner = owner.__name__

    # What a value reads as ----------------------------------------------------------------------

    @property
    def empty(self) -> Any:
        """What a column with nothing sealed in it reads as."""
        return {"text": "", "json": {}}.get(self.kind)

    @property
    def unreadable(self) -> Any:
        """What a column reads as once it cannot be read: the one placeholder, where there is text."""
        if self.kind == "text":
            return UNREADABLE
        if self.kind == "json":
            return {self.shown_in: UNREADABLE}
        return None

    def context(self, instance) -> str:
        """The context this column of this record is sealed with (the module's one rule)."""
        part = self.part.format(o=instance)
        if self._ref is None:
            return f"{self.record}:{part}"
        ref = self._ref(instance)
        if ref is None:
            raise ValueError(f"a {self.record}'s {part} is sealed once the {self.record} is saved")
        return f"{self.record}:{ref}:{part}"

    # Reading ------------------------------------------------------------------------------------

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return self.read(instance)

    def read(self, instance, client_id: int | None = None) -> Any:
        """The clear value, opened once per object. `client_id` may be given where the caller
        already holds it (an entry, whose client is its case's), to save reading the parent."""
        if self._cache in instance.__dict__:
            return instance.__dict__[self._cache]
        blob = getattr(instance, self.column)
        if not blob:
            value = self.empty
        elif self._client is None:
            value = self._from_text(key_store().unseal_installation(self.context(instance), bytes(blob)).decode("utf-8"))
        else:
            client_id = self._client(instance) if client_id is None else client_id
            value = self._open(instance, client_id, self._decrypt, client_id, bytes(blob), self.context(instance))
        instance.__dict__[self._cache] = value
        return value

    def _decrypt(self, client_id: int, blob: bytes, context: str) -> Any:
        store = key_store()
        if self.kind == BYTES:
            return store.decrypt_bytes(client_id, blob, context)
        return self._from_text(store.decrypt(client_id, blob, context))

    def _decrypt_with(self, key: bytes, client_id: int, blob: bytes, context: str) -> Any:
        return self._from_text(KeyStore.decrypt_with(key, client_id, blob, context))

    def _from_text(self, text: str) -> Any:
        return _KINDS[self.kind][1](text)

    def _open(self, instance, client_id: int, opening: Callable[..., Any], *args) -> Any:
        try:
            return opening(*args)
        except KeyDestroyed:
            return self.unreadable
        except WrongMasterKey:
            raise
        except KeyStoreError:
            # Altered, or moved from another record: said once in the log (no content, no name),
            # and shown as unreadable like a destroyed key.
            logger.warning("a sealed %s.%s (#%s, client #%s) does not open with its key and context",
                           self._owner, self.name, getattr(instance, "pk", None), client_id)
            return self.unreadable

    def reveal(self, instances: Iterable) -> None:
        """Open this column of many records (a page of a list) with their clients' keys read in
        one query (KeyStore.existing_keys); a record whose client has no key left reads as its
        placeholder. Each is then read from memory."""
        waiting = [instance for instance in instances if self._cache not in instance.__dict__]
        if not waiting:
            return
        if self._client is None or self.kind == BYTES:
            raise ValueError("only a client's text is opened in bulk")
        keys = key_store().existing_keys(self._client(instance) for instance in waiting)
        for instance in waiting:
            client_id, blob = self._client(instance), getattr(instance, self.column)
            key = keys.get(client_id)
            if not blob or key is None:
                self.read(instance)  # nothing sealed; or destroyed (the placeholder), or an error worth its own message
                continue
            instance.__dict__[self._cache] = self._open(instance, client_id, self._decrypt_with, key, client_id,
                                                        bytes(blob), self.context(instance))

    # Writing ------------------------------------------------------------------------------------

    def __set__(self, instance, value) -> None:
        """Seal `value` into the column ("", None or an empty dict clears it); save the column."""
        if self._is_empty(value):
            self._clear(instance)
            return
        context = self.context(instance)
        store = key_store()
        if self._client is None:
            sealed = store.seal_installation(context, self._to_text(value).encode("utf-8"))
        elif self.kind == BYTES:
            sealed = store.encrypt_bytes(self._client(instance), bytes(value), context)
        else:
            sealed = store.encrypt(self._client(instance), self._to_text(value), context)
        setattr(instance, self.column, sealed)
        instance.__dict__[self._cache] = value

    def seal_with(self, instance, key: bytes, value) -> None:
        """As assigning, with the client's data key already in hand (KeyStore.data_keys(): bulk
        writes, a new client sealed in its own transaction)."""
        if self._is_empty(value):
            self._clear(instance)
            return
        if self._client is None or self.kind == BYTES:
            raise ValueError("only a client's text is sealed with a key in hand")
        setattr(instance, self.column,
                KeyStore.encrypt_with(key, self._client(instance), self._to_text(value), self.context(instance)))
        instance.__dict__[self._cache] = value

    def remember(self, instance, value) -> None:
        """Hold `value` as this column's clear value without sealing it yet (a client's name set
        before the client is saved: the seal binds the client's number)."""
        instance.__dict__[self._cache] = value

    def _to_text(self, value) -> str:
        return _KINDS[self.kind][0](value)

    @staticmethod
    def _is_empty(value) -> bool:
        return value is None or (isinstance(value, (str, bytes, dict)) and not value)

    def _clear(self, instance) -> None:
        field = instance._meta.get_field(self.column)
        setattr(instance, self.column, None if field.null else b"")
        instance.__dict__[self._cache] = self.empty
