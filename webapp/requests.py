"""What a request may carry before anything parses it: bounded JSON bodies, bounded numbers.

Every JSON endpoint (the diagnose API, Mattermost) reads its body through :func:`json_body`:
the body is at most ``MAX_CONTENT_LENGTH`` bytes (Werkzeug refuses more with 413 before
reading it) and at most ``KB_MAX_JSON_DEPTH`` arrays and objects deep, checked on the raw
bytes before the parser runs. Python's parser recurses once per level: 100,000 ``[`` were a
RecursionError, a 500 and a traceback in the log for each request.

Numbers from headers and form fields go through :func:`bounded_int`: ``int()`` of a 5,000-digit
string raises (Python caps conversions at 4,300 digits), and ``str.isdigit`` is true for "²".

>>> json_depth(b'{"text": "[[[[ not structure ]]]]", "a": [1, [2, {"b": 3}]]}')
4
>>> bounded_int("1712345678", 12), bounded_int("9" * 5000, 12), bounded_int("²", 12)
(1712345678, None, None)
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flask import current_app, request

from .config import MAX_JSON_DEPTH
from .errors import WebError

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_STEP = [0] * 256  # +1 for an opening bracket, -1 for a closing one
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text *raw*, brackets inside strings not
    counted; linear, in C-speed steps (regex passes and ``accumulate``)."""
    structure = _NOT_BRACKET.sub(b"", _STRING.sub(b'""', raw))
    return max(accumulate(map(_STEP.__getitem__, structure)), default=0)


def json_body() -> Any:
    """The request's JSON body, parsed only once its depth is known to be within the limit.

    Raises :class:`WebError` 400 for JSON nested too deep or not valid; the body size is
    bounded by ``MAX_CONTENT_LENGTH`` (413) before it is read.
    """
    raw = request.get_data(cache=True)
    limit = current_app.config.get("KB_MAX_JSON_DEPTH", MAX_JSON_DEPTH)
    if raw.count(b"[") + raw.count(b"{") > limit and json_depth(raw) > limit:
        raise WebError(
            400, "json_too_deep", f"The JSON body nests deeper than {limit} levels; send less."
        )
    return request.get_json(silent=True)


def bounded_int(text: str | None, max_digits: int) -> int | None:
    """*text* as a whole number of at most *max_digits* ASCII digits, else None."""
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
