"""The installation's key store, from Django's settings (KEYSTORE_PATH, MASTER_KEY)."""

from __future__ import annotations

from django.conf import settings

from confide.keys import KeyStore, MasterKey

_stores: dict[tuple[str, str], KeyStore] = {}


def key_store() -> KeyStore:
    marker = (str(settings.KEYSTORE_PATH), settings.MASTER_KEY)
    if marker not in _stores:
        _stores.clear()
        _stores[marker] = KeyStore(settings.KEYSTORE_PATH, MasterKey.from_text(settings.MASTER_KEY, "CONFIDE_MASTER_KEY"))
    return _stores[marker]


def forget() -> None:
    """Drop the open key store (before a fork: each process opens its own)."""
    _stores.clear()
