"""Log events, never content."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


class StripQueryString(logging.Filter):
    """Drop query strings from log lines: a search box's words may be a client's name."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY.sub("?…", record.msg)
        return True
