"""Log events, never content."""

from __future__ import annotations

import logging
import re
import traceback

_QUERY = re.compile(r"\?[^\s\"']*")
# A partner's secure link carries its secret in the address (/shared/<token>/): never in a log.
_LINK_TOKEN = re.compile(r"/shared/[^/\s\"']+")


class StripQueryString(logging.Filter):
    """Drop query strings from log lines (a search box's words may be a client's name) and the
    secret of a secure link from its address, and keep
    an exception's type and where it happened but not its message (a database error quotes the
    values it was given)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY.sub("?…", record.msg)
        if isinstance(record.msg, str) and "/shared/" in record.msg:
            record.msg = _LINK_TOKEN.sub("/shared/…", record.msg)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            frames = "".join(traceback.format_tb(tb))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{exc_type.__module__}.{exc_type.__qualname__}: (message withheld: it may quote client data)"
        return True
