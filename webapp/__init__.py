"""The helpdesk web app, the JSON API and the chat-ops endpoints, over one loaded engine.

    app = create_app()                                  # KB_DIR etc. from the environment
    app = create_app({"KB_DIR": "kb", "KB_FEEDBACK_DB": "/tmp/f.sqlite3"})

The engine is loaded (index built or opened, rules warmed up) and the store opened (schema
created or upgraded) here, before the app serves a request; ``kb serve`` runs the result under
gunicorn. Settings: :mod:`webapp.config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def _datetime(epoch: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then *test_config*."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import (
        api,
        chatops,
        errors,
        feedback,
        gap_views,
        i18n,
        kbstate,
        limits,
        openapi,
        security,
        stats,
        suggest,
        triage_views,
        views,
    )
    from .config import load_config

    app = Flask(__name__)
    load_config(app.config, test_config)
    app.json.sort_keys = False  # keep the engine's key order (the documented shapes)
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \\uXXXX
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["datetime"] = _datetime

    i18n.init_app(app)  # before the first page: error pages are translated too
    errors.init_app(app)
    security.init_app(app)
    feedback.init_app(app)  # first: a database that is down fails in a second, not after a build
    kbstate.init_app(app)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(chatops.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(triage_views.bp)
    app.register_blueprint(suggest.bp)
    app.register_blueprint(gap_views.bp)
    app.register_blueprint(stats.bp)
    limits.init_app(app)  # wraps the views registered above
    proxies = app.config["KB_TRUSTED_PROXIES"]
    if proxies:  # the client address, scheme and host as the proxies in front saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
