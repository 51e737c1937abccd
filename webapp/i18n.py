"""The page's own words in English or Chinese (Flask-Babel), chosen per request.

The language is, in order: ``?lang=en|zh-CN`` (then remembered in the ``kb_lang`` cookie for a
year), the cookie, the browser's ``Accept-Language``, English. Writers' entries are shown in
the language they were written in; only the page around them is translated.

The catalogue ships as ``webapp/translations/zh_CN/LC_MESSAGES/messages.po`` (text, reviewed
in pull requests). Its binary ``.mo`` is compiled when the app starts, into a cache folder
named after the ``.po``'s digest (``$TMPDIR/troubleshoot-kb-i18n-<digest>``), so a fresh clone,
``pip install -e .`` and a wheel all work with no build step, and a changed ``.po`` is used at
the next start. Compiling the one small catalogue takes milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
# (Babel's locale, the HTML/URL tag) for every language the page speaks
LANGUAGES = {"en": "en", "zh_CN": "zh-CN"}
COOKIE = "kb_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


def _from_tag(tag: str | None) -> str | None:
    """Our Babel locale for a URL or cookie value ('zh-CN', 'zh_cn', 'en'), else None.

    >>> _from_tag("zh-CN"), _from_tag("EN"), _from_tag("fr")
    ('zh_CN', 'en', None)
    """
    if not tag:
        return None
    folded = tag.strip().replace("-", "_").lower()
    return next((name for name in LANGUAGES if name.lower() == folded), None)


def select_locale() -> str:
    chosen = _from_tag(request.args.get("lang")) or _from_tag(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    # "zh", "zh-TW", "zh-Hans" all read Chinese better than English
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"])
    return "zh_CN" if best and best.startswith("zh") else "en"


def html_lang() -> str:
    """The ``<html lang>`` of this request's page: 'en' or 'zh-CN'."""
    return "zh-CN" if get_locale().language == "zh" else "en"


def lang_url(tag: str) -> str:
    """This page's address with ``?lang=`` set to *tag*, every other argument kept."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [tag]
    return request.path + "?" + urlencode(args, doseq=True)


def compile_catalogues(source: Path = TRANSLATIONS) -> Path:
    """Every ``.po`` under *source* compiled to ``.mo`` in a cache folder; return the folder."""
    pos = sorted(source.glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in pos)).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"troubleshoot-kb-i18n-{digest}"
    for po in pos:
        # Babel reads "zh_CN" as zh_Hans_CN and looks for a folder of that name
        name = str(Locale.parse(po.parts[-3]))
        mo = target / name / "LC_MESSAGES" / po.with_suffix(".mo").name
        if mo.exists():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalogue = read_po(f, locale=po.parts[-3])
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")  # workers may compile at once
        with partial.open("wb") as f:
            write_mo(f, catalogue)
        partial.replace(mo)
    return target


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogues())
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def languages():
        return {"html_lang": html_lang(), "lang_url": lang_url}

    @app.after_request
    def remember_language(response):
        chosen = _from_tag(request.args.get("lang"))
        if chosen:
            response.set_cookie(
                COOKIE, LANGUAGES[chosen], max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True
            )
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
