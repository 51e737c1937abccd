"""Read a source's bytes: a local file or an http(s) URL, always with a size cap.

The bytes go to the feed parser undecoded so that it can pick the encoding itself (BOM, XML
declaration, HTTP charset). For URLs the response's ``Content-Type`` and ``Content-Location``
come back as headers the parser understands; a ``Content-Location`` that is not http(s) is
dropped here, so a ``javascript:`` header can never become a base URL.

Only ``http`` and ``https`` are fetched, redirects included: ``file:``, ``ftp:``, ``data:``
and the rest are refused with a message instead of being handed to urllib's other handlers.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .errors import SchemeRefused, SourceRejected, SourceTooLarge
from .urls import is_http_url

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
USER_AGENT = "troubleshoot-kb-ingest/0.1 (+feed ingester)"
_CHUNK = 64 * 1024
# "C:\feeds\a.xml" is a path, "ftp://..." or "javascript:..." is a URL with a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


@dataclass(frozen=True)
class Fetched:
    """A source's raw bytes plus the HTTP headers the parser should see."""

    source: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)
    url: str | None = None  # the final URL after redirects, for http(s) sources


def human_size(size: int) -> str:
    """'20 MB', '512 KB', '900 bytes' - for limit messages."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            value = size / factor
            return (
                f"{value:.0f} {unit}"
                if value >= 10 or value == int(value)
                else f"{value:.1f} {unit}"
            )
    return f"{size} bytes"


def _too_large(size: int | None, limit: int) -> SourceTooLarge:
    what = f"{human_size(size)}, " if size is not None else "more than that, "
    return SourceTooLarge(
        f"too large ({what}the limit is {human_size(limit)}; raise it with --max-bytes)"
    )


def url_scheme(source: str) -> str | None:
    """The scheme of *source* if it is written as a URL, else None (a path)."""
    match = _SCHEME.match(source)
    return match.group(1).lower() if match else None


def fetch(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
) -> Fetched:
    """The bytes of *source*; raise :class:`SourceRejected` with the reason when impossible."""
    scheme = url_scheme(source)
    if scheme is not None and not Path(source).exists():
        if scheme not in ("http", "https"):
            raise SchemeRefused(f"'{scheme}:' URLs are not fetched; only http and https are")
        return _fetch_url(source, max_bytes=max_bytes, timeout=timeout)
    return _read_file(source, max_bytes=max_bytes)


def _read_file(source: str, *, max_bytes: int) -> Fetched:
    path = Path(source)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceRejected("no such file") from None
    except OSError as exc:
        raise SourceRejected(f"unreadable ({exc.strerror or exc})") from None
    if path.is_dir():
        raise SourceRejected("is a folder, not a feed file")
    if info.st_size > max_bytes:
        raise _too_large(info.st_size, max_bytes)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)  # a file growing while we read is still capped
    except OSError as exc:
        raise SourceRejected(f"unreadable ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise _too_large(None, max_bytes)
    return Fetched(source=source, data=data)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s); urllib alone would also follow one to ftp:."""

    max_redirections = 5

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location:
            scheme = urlsplit(urljoin(req.full_url, location.strip())).scheme.lower()
            if scheme not in ("http", "https"):
                fp.close()
                raise SchemeRefused(f"redirected to a '{scheme}:' URL, which is not fetched")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """An opener with the HTTP handlers only (no file:, ftp: or data: handlers)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _fetch_url(url: str, *, max_bytes: int, timeout: float) -> Fetched:
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    )
    deadline = time.monotonic() + timeout
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise _too_large(int(length), max_bytes)
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise SourceRejected(f"timed out after {timeout:g} s")
                chunk = response.read1(_CHUNK)  # returns what has arrived: the deadline holds
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(None, max_bytes)
                chunks.append(chunk)
            final_url = response.geturl() or url
            headers = _feed_headers(response.headers, final_url)
    except SourceRejected:
        raise
    except urllib.error.HTTPError as exc:
        raise SourceRejected(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise SourceRejected(f"timed out after {timeout:g} s") from None
        raise SourceRejected(f"cannot fetch ({reason})") from None
    except TimeoutError:
        raise SourceRejected(f"timed out after {timeout:g} s") from None
    except (OSError, ValueError) as exc:  # connection reset, bad URL, http.client errors
        raise SourceRejected(f"cannot fetch ({exc})") from None
    return Fetched(source=url, data=b"".join(chunks), headers=headers, url=final_url)


def _feed_headers(headers, final_url: str) -> dict[str, str]:
    """Content-Type (its charset) and a safe Content-Location for the parser."""
    out: dict[str, str] = {}
    content_type = headers.get("Content-Type")
    if content_type:
        out["content-type"] = content_type
    location = headers.get("Content-Location")
    base = final_url
    if location:
        candidate = urljoin(final_url, location.strip())
        if is_http_url(candidate):
            base = candidate
    out["content-location"] = base
    return out


def parse_max_bytes(text: str) -> int:
    """'20MB', '512k', '1048576' -> bytes (for the --max-bytes option)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"'{text}' is not a size (e.g. 20MB, 512KB, 1000000)")
    number = float(match.group(1))
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    value = int(number * factor)
    if value <= 0:
        raise ValueError("the size limit must be more than 0 bytes")
    return value
