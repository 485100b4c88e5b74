"""Who a client is, kept out of every copy of the database.

"Victims may contact DVIP without anyone outside the organisation knowing" (DVIP 3.07; Day-Mer:
"including the fact of their visit"): a client's name and date of birth are stored only sealed under
the client's own data key (AES-256-GCM, bound to the client and the field), like everything else of
theirs, and destroyed with it.

To find a client by name without a clear name to compare, each part of the name (lower case, accents
folded, punctuation dropped) and each prefix of it from two letters is stored as a *blind index*
token: HMAC-SHA256 under the installation's name-index key (in the key store, wrapped by the master
key, never in the main database), cut to 16 bytes. A search for "Zel" computes the token of "zel"
and finds the clients holding it; the gate then filters them by need-to-know as always, and only the
names of the page shown are decrypted. What the tokens give away in a copy of the database (equal
names and equal prefixes are linkable, and how many parts and letters a name has) is in
docs/threat-model.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import unicodedata

from confide.keys import NAME_INDEX_KEY

# Dropped inside a part rather than splitting it: O'Brien is one part, "obrien".
_JOINERS = frozenset("'’‘`.")
_LONGEST_PART = 64
MOST_PARTS = 6  # of a search: more words than a name has find nobody anyway
# The oldest age Confide takes a date of birth for (issue 13): older than anyone living, so an older
# date is a mistyped year. The policy engine takes ages to 130; a date outside 0 to 120 is never
# stored, and one already stored (before the check) is asked about as no age at all (age_on).
OLDEST_AGE = 120


def name_parts(text: str, *, segments: bool = False) -> list[str]:
    """The parts of a name as the index knows them: NFKD with accents dropped, case folded,
    apostrophes and full stops dropped, split at anything else that is not a letter or digit. With
    `segments`, what follows each apostrophe or full stop is a part too (O'Brien: "obrien" and
    "brien"), so that a worker who types "Bri" finds her; the index is built with them."""
    parts, current, starts = [], [], []
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch):
            continue
        if ch in _JOINERS:
            if current:
                starts.append(len(current))
            continue
        if ch.isalnum():
            current.append(ch)
            continue
        if current:
            parts.append("".join(current))
            parts += ["".join(current[start:]) for start in starts if segments and start < len(current)]
        current, starts = [], []
    if current:
        parts.append("".join(current))
        parts += ["".join(current[start:]) for start in starts if segments and start < len(current)]
    seen: dict[str, None] = {}
    for part in parts:
        seen.setdefault(part[:_LONGEST_PART], None)
    return list(seen)


def token(key: bytes, text: str) -> str:
    """The blind index token of a normalised part or prefix: 16 bytes of HMAC-SHA256, as 22 characters."""
    digest = hmac.new(key, b"confide:v1:name:" + text.encode("utf-8"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def name_tokens(key: bytes, name: str) -> set[str]:
    """Every token a name is found by: each part whole, and each prefix of it from two letters."""
    found = set()
    for part in name_parts(name, segments=True):
        for length in range(min(2, len(part)), len(part) + 1):
            found.add(token(key, part[:length]))
    return found


def query_tokens(key: bytes, query: str) -> list[str]:
    """The tokens a client must hold all of to be found by this search: one per part typed. A
    one-letter part is passed over when a longer one is typed (the index starts at two letters;
    alone, it finds a name with a one-letter part, such as an initial)."""
    parts = name_parts(query[:100])
    longer = [part for part in parts if len(part) >= 2]
    return [token(key, part) for part in (longer or parts)[:MOST_PARTS]]


def _store():
    from confide.keys.runtime import key_store  # the installation's key store (settings)

    return key_store()


def index_key() -> bytes:
    return _store().installation_key(NAME_INDEX_KEY)


def seal_identity(client, clear: dict, key: bytes | None = None) -> list[str]:
    """Seal what `clear` holds ("name", "date_of_birth") onto the client (a row already saved: the seal
    binds its number) through its sealed columns (Client.sealed_name, sealed_date_of_birth), and give
    the blind index tokens of the name (empty when no name is given), not yet saved. The caller
    saves both in its transaction."""
    key = key or _store().data_key(client.pk, create=True)
    rows = []
    if "name" in clear:
        type(client).sealed_name.seal_with(client, key, clear["name"])
        rows = sorted(name_tokens(index_key(), clear["name"]))
    if "date_of_birth" in clear:
        type(client).sealed_date_of_birth.seal_with(client, key, clear["date_of_birth"])
    return rows


def reveal_names(clients) -> None:
    """Open the names of these clients (a page of a list) with their keys read in one query; a
    client whose key was destroyed is named by the one placeholder (confide.keys.sealed)."""
    clients = list(clients)
    if clients:
        type(clients[0]).sealed_name.reveal(clients)


# Dates of birth -------------------------------------------------------------------------------------

def years_between(born: dt.date, today: dt.date) -> int:
    """Whole years from `born` to `today` (negative if `born` is later)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    """The client's age on `today`, or None if it is unknown: no date of birth, or one nobody alive
    could have (in the future, or more than OLDEST_AGE years ago). An impossible age is never given
    to the policy, which refuses a request with one (issue 13); the client's file asks for it to be
    corrected instead (date_of_birth_problem)."""
    if born is None:
        return None
    years = years_between(born, today)
    return years if 0 <= years <= OLDEST_AGE else None


def date_of_birth_problem(born: dt.date | None, today: dt.date) -> str | None:
    """What is wrong with this date of birth, as a sentence for the field, or None if it could be
    right (or is not given)."""
    if born is None:
        return None
    if born > today:
        return "The date of birth is in the future: check the year."
    if years_between(born, today) > OLDEST_AGE:
        return f"The date of birth is more than {OLDEST_AGE} years ago: check the year."
    return None


def same_name(first: str, second: str) -> bool:
    """Whether two names are the same name as the index sees them (case, accents, apostrophes and
    spacing aside): "Zoë O'Brien" and "zoe obrien" are."""
    return bool(name_parts(first)) and name_parts(first) == name_parts(second)
