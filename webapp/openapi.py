"""The OpenAPI 3.1 description of every route, served at ``/openapi.json``.

The schemas mirror the engine's ``to_dict()`` shapes (``Diagnosis``, ``Remedy``, ``Facts``,
``Entry``). Tests hold it true: every route and method of the app is here and nothing else
(``test_web_error_shape``), and real responses of every route, success and failure, are
validated against the schema documented for their status, with no undocumented key allowed
(``test_web_openapi``).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from engine.rules.spec import RULE_KINDS

bp = Blueprint("openapi", __name__)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


TEXT = {"type": "string"}
MARKDOWN = {"type": "string", "description": "Markdown"}
OPTIONAL_TEXT = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
URL = {"type": "string", "format": "uri"}
STRINGS = {"type": "array", "items": TEXT}
VERDICT = {"enum": ["solved", "not_helpful"]}


def _object(required: list[str] | None = None, **properties) -> dict:
    """A JSON object schema with these properties (and these required ones)."""
    schema: dict = {"type": "object"}
    if required:
        schema["required"] = required
    schema["properties"] = properties
    return schema


def _param(name: str, where: str, schema: dict = TEXT, **extra) -> dict:
    """A parameter in the path, query or headers (``required=True``, ``description=...``)."""
    return {
        "name": name,
        "in": where,
        **({"required": True} if where == "path" else {}),
        "schema": schema,
        **extra,
    }


def _form(schema: dict, *content_types: str) -> dict:
    return {"content": {kind: {"schema": schema} for kind in content_types}}


URLENCODED = "application/x-www-form-urlencoded"
ENTRY_ID = _param("entry_id", "path", description="An entry id, e.g. `dns-signature`.")
# What a listing shows of an entry (engine.entry.SUMMARY_KEYS) and the whole entry's other keys.
SUMMARY = {
    "id": TEXT,
    "title": TEXT,
    "kind": TEXT,
    "source": OPTIONAL_TEXT,
    "products": STRINGS,
    "tags": STRINGS,
}

SCHEMAS = {
    "Error": _object(
        ["error"],
        error=_object(
            ["code", "message"],
            code={"type": "string", "examples": ["empty_text", "not_found", "payload_too_large"]},
            message=TEXT,
        ),
    ),
    "DiagnoseRequest": _object(
        ["text"],
        text={
            "type": "string",
            "minLength": 1,
            "description": "The pasted error; at most KB_MAX_PASTE_BYTES (1 MB) of UTF-8.",
        },
        top={"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
    ),
    "Facts": _object(
        language={"type": "string", "enum": ["en", "zh"]},
        events={"type": "array", "items": _object(id=INTEGER, source=OPTIONAL_TEXT)},
        sources=STRINGS,
        codes=STRINGS,
        products=STRINGS,
        question={"type": "boolean", "description": "Asked as a question, not pasted as an error."},
        howto={"type": "boolean", "description": "A question about doing something (guides fit)."},
        words={
            "type": ["integer", "null"],
            "description": "Different words it holds, counted up to 10 (Chinese: two characters "
            "a word); under 3, only an event ID, an error code or a writer's rule makes an "
            "answer confident.",
        },
        masked={
            "type": "object",
            "additionalProperties": STRINGS,
            "description": "Variable parts masked before matching, by kind (host, guid, ...).",
        },
    ),
    "RuleHit": _object(
        entry=TEXT,
        rule=TEXT,
        kind={
            "type": "string",
            "enum": list(RULE_KINDS),
            "description": "What made the rule: a writer, or mining (which signature).",
        },
        weight={"type": "number"},
        facts=STRINGS,
    ),
    "Why": _object(
        summary=STRINGS,
        rules={"type": "array", "items": _ref("RuleHit")},
        terms={**STRINGS, "description": "Matched search terms (stems)."},
        search_score={"type": ["number", "null"]},
    ),
    "Result": _object(
        ["id", "title", "score", "confidence", "why", "url"],
        id=TEXT,
        title=TEXT,
        kind={"type": "string", "enum": ["troubleshooting", "guide"]},
        source=OPTIONAL_TEXT,
        score={"type": "number"},
        confidence={"type": "number", "minimum": 0, "maximum": 1},
        why=_ref("Why"),
        symptom=MARKDOWN,
        cause=MARKDOWN,
        fix=MARKDOWN,
        url={**URL, "description": "The entry's page."},
    ),
    "Diagnosis": _object(
        ["confident", "facts", "results"],
        confident={
            "type": "boolean",
            "description": "False when no result clears the threshold; results are then the nearest entries.",
        },
        threshold={"type": "number"},
        facts=_ref("Facts"),
        results={"type": "array", "items": _ref("Result")},
    ),
    "EntrySummary": _object(**SUMMARY, url=URL),
    "EntryList": _object(entries={"type": "array", "items": _ref("EntrySummary")}),
    "Entry": _object(
        ["id", "title", "kind", "status", "sections", "url", "feedback"],
        **{key: SUMMARY[key] for key in ("id", "title", "kind")},
        status={
            "enum": ["published", "draft"],
            "description": "Only published entries are served.",
        },
        language=TEXT,
        **{key: SUMMARY[key] for key in ("source", "products", "tags")},
        signatures={"type": "object"},
        rules={"type": "array", "items": {"type": "object"}},
        generated_rules={
            "type": "array",
            "items": {"type": "object"},
            "description": "Rules mined at ingest (kb ingest regenerates them; a writer's rule "
            "of the same name overrides one).",
        },
        examples=STRINGS,
        see_also=STRINGS,
        owner=TEXT,
        sections={
            "type": "object",
            "additionalProperties": TEXT,
            "description": "Section name -> Markdown.",
        },
        url=URL,
        feedback={
            "oneOf": [_ref("FeedbackCounts"), {"type": "null"}],
            "description": "null while the database is unreachable.",
        },
    ),
    "FeedbackCounts": _object(["solved", "not_helpful"], solved=INTEGER, not_helpful=INTEGER),
    "FeedbackRequest": _object(
        ["entry", "solved"],
        entry={"type": "string", "description": "The entry's id."},
        solved={"type": "boolean"},
        reason={"type": "string", "maxLength": 1000},
        result={
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{22,64}$",
            "description": "The token of the stored result (/r/<token>) the vote is about.",
        },
    ),
    "FeedbackReceipt": _object(
        ["entry", "verdict", "feedback"],
        entry=TEXT,
        verdict=VERDICT,
        feedback=_ref("FeedbackCounts"),
    ),
    "Health": _object(
        ["status", "entries", "broken_files", "kb_version"],
        status={"const": "ok"},
        entries={**INTEGER, "description": "Entries served."},
        broken_files={**INTEGER, "description": "KB files with a problem (not served as written)."},
        kb_version={"type": "string", "description": "The KB version served (also X-KB-Version)."},
    ),
    "SlackReply": _object(
        response_type={"const": "ephemeral"},
        text=TEXT,
        blocks={"type": "array", "maxItems": 50, "items": {"type": "object"}},
    ),
    "MattermostReply": _object(response_type={"enum": ["ephemeral", "comment"]}, text=MARKDOWN),
}

FORM = _object(text=TEXT, top={"type": "integer", "minimum": 1, "maximum": 20})
COMMON_API_ERRORS = {
    "404": _error("No such route or entry"),
    "405": _error("Wrong method"),
    "500": _error("Server error (no details)"),
}
FILTERS = [_param("product", "query"), _param("tag", "query")]
WORDS = "Words that must all appear in an entry's id, title, tags or products."

PATHS = {
    "/": {"get": {"summary": "The paste box", "responses": {"200": _html("The form")}}},
    "/diagnose": {
        "post": {
            "summary": "Diagnose a paste from the form; the ranked remedies as cards",
            "requestBody": _form(FORM, "multipart/form-data", URLENCODED),
            "responses": {
                "200": _html("Results"),
                "400": _html("Empty paste or bad 'top': the form again"),
                "413": _html("Paste or body over the limit"),
            },
        }
    },
    "/kb": {
        "get": {
            "summary": "List entries",
            "parameters": [*FILTERS, _param("q", "query", description=WORDS)],
            "responses": {"200": _html("The list")},
        }
    },
    "/kb/{entry_id}": {
        "get": {
            "summary": "One entry, whole, with its feedback counts",
            "parameters": [
                ENTRY_ID,
                _param(
                    "feedback",
                    "query",
                    {"enum": ["thanks", "already"]},
                    description="Show the note after a vote (counted, or counted before).",
                ),
            ],
            "responses": {"200": _html("The entry"), "404": _html("Unknown id")},
        }
    },
    "/feedback": {
        "post": {
            "summary": "Record 'solved it' / 'didn't help' for an entry, then 303 to the entry page",
            "requestBody": _form(
                _object(
                    ["entry_id", "verdict"],
                    entry_id=TEXT,
                    verdict=VERDICT,
                    paste_sha256={"type": "string", "pattern": "^[0-9a-f]{64}$"},
                ),
                URLENCODED,
            ),
            "responses": {
                "303": {"description": "Back to the entry page with a note"},
                "400": _html("Bad verdict"),
                "403": _html("Cross-site form"),
                "404": _html("Unknown entry"),
                "503": _html("The database is unreachable (Retry-After)"),
            },
        }
    },
    "/kb/_status": {
        "get": {
            "summary": "Live reload status: entries serving, last change, files that do not load",
            "responses": {"200": _html("The status page")},
        }
    },
    "/healthz": {"get": {"summary": "Ready check", "responses": {"200": _json("Ready", "Health")}}},
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}
            },
        }
    },
    "/static/{filename}": {
        "get": {
            "summary": "The stylesheet",
            "parameters": [_param("filename", "path")],
            "responses": {"200": {"description": "A static file"}, "404": _html("No such file")},
        }
    },
    "/api/v1/diagnose": {
        "post": {
            "summary": "Diagnose a paste: ranked remedies, confidence, why",
            "requestBody": {"required": True, **_form(_ref("DiagnoseRequest"), "application/json")},
            "responses": {
                "200": _json(
                    "The diagnosis (results are the nearest entries even when not confident)",
                    "Diagnosis",
                ),
                "400": _error(
                    "Missing or empty text, bad JSON, JSON nested deeper than KB_MAX_JSON_DEPTH "
                    "(json_too_deep), wrong types, top out of 1..20"
                ),
                "413": _error(
                    "Body over MAX_CONTENT_LENGTH (2 MB) or paste over KB_MAX_PASTE_BYTES"
                ),
                "415": _error("Content type is not application/json"),
                **COMMON_API_ERRORS,
            },
        }
    },
    "/api/v1/entries": {
        "get": {
            "summary": "List entries",
            "parameters": FILTERS,
            "responses": {"200": _json("The entries", "EntryList"), **COMMON_API_ERRORS},
        }
    },
    "/api/v1/entries/{entry_id}": {
        "get": {
            "summary": "One entry, whole",
            "parameters": [ENTRY_ID],
            "responses": {"200": _json("The entry", "Entry"), **COMMON_API_ERRORS},
        }
    },
    "/api/v1/feedback": {
        "post": {
            "summary": "Record whether an entry solved the problem (one vote per client per "
            "result, or per entry per hour)",
            "requestBody": {"required": True, **_form(_ref("FeedbackRequest"), "application/json")},
            "responses": {
                "201": _json("Counted; the entry's counts now", "FeedbackReceipt"),
                "400": _error("Missing or wrong entry, solved, reason or result; bad JSON"),
                "404": _error("Unknown entry (unknown_entry) or result (unknown_result)"),
                "409": _error("This client already voted (already_counted)"),
                "415": _error("Content type is not application/json"),
                "503": _error("The database is unreachable (store_unavailable, Retry-After)"),
                **COMMON_API_ERRORS,
            },
        }
    },
    "/api/v1/slack": {
        "post": {
            "summary": "Slack slash command (signed with the app's signing secret)",
            "parameters": [
                _param(header, "header", required=True)
                for header in ("X-Slack-Signature", "X-Slack-Request-Timestamp")
            ],
            "requestBody": _form(_object(text=TEXT, command=TEXT, ssl_check=TEXT), URLENCODED),
            "responses": {
                "200": _json("Block Kit reply (empty for ssl_check=1)", "SlackReply"),
                "401": _error("Signature missing, wrong or stale"),
                "503": _error("SLACK_SIGNING_SECRET not set"),
                **COMMON_API_ERRORS,
            },
        },
        "get": {
            "summary": "Slack's certificate check (ssl_check=1 only)",
            "parameters": [_param("ssl_check", "query", {"const": "1"})],
            "responses": {
                "200": {"description": "Empty"},
                "405": _error("Anything but ssl_check"),
                "503": _error("SLACK_SIGNING_SECRET not set"),
            },
        },
    },
    "/api/v1/mattermost": {
        "post": {
            "summary": "Mattermost outgoing webhook or slash command (token-checked)",
            "requestBody": {
                "content": {
                    URLENCODED: {
                        "schema": _object(token=TEXT, text=TEXT, trigger_word=TEXT, command=TEXT)
                    },
                    "application/json": {"schema": {"type": "object"}},
                }
            },
            "responses": {
                "200": _json("Markdown reply", "MattermostReply"),
                "400": _error("Bad JSON, or nested deeper than KB_MAX_JSON_DEPTH (json_too_deep)"),
                "401": _error("Token missing or wrong"),
                "503": _error("MATTERMOST_TOKEN not set"),
                **COMMON_API_ERRORS,
            },
        }
    },
}


def _finish(paths: dict) -> dict:
    """What every answer has: the KB version header; a 429 on the rate-limited routes; a 403
    on state-changing ones (the origin check); errors in the one shape on /api."""
    limited = {"/diagnose", "/feedback", "/triage", "/api/v1/diagnose", "/api/v1/feedback"}
    limited |= {"/", "/request-article"}
    limited |= {"/api/v1/triage", "/api/v1/slack", "/api/v1/mattermost"}
    signed = {"/api/v1/slack", "/api/v1/mattermost"}
    for path, operations in paths.items():
        machine = path.startswith(("/api/", "/openapi.json", "/healthz"))
        for method, operation in operations.items():
            responses = operation["responses"]
            if method == "post" and path in limited:
                responses.setdefault(
                    "429",
                    {
                        **(_error if machine else _html)("Over the rate limit (KB_RATELIMIT_*)"),
                        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
                    },
                )
            if method == "post" and path not in signed:
                responses.setdefault(
                    "403", (_error if machine else _html)("Sent from another site (cross_site)")
                )
            for response in responses.values():
                response.setdefault("headers", {})["X-KB-Version"] = {
                    "$ref": "#/components/headers/KBVersion"
                }
    return paths


HEADERS = {
    "KBVersion": {
        "description": "The KB version this answer comes from: a hash of the entries served. "
        "Once a new version is served, no answer comes from the old one.",
        "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    },
    "RetryAfter": {"description": "Seconds to wait before trying again.", "schema": INTEGER},
}

SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "troubleshoot-kb",
        "version": "1",
        "description": "Paste an error, get the remedies that fit, ranked, with why. "
        'Every failure is {"error": {"code", "message"}}.',
    },
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "headers": HEADERS},
}


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


# --- log triage (webapp/triage_views.py) ---------------------------------------------------
SCHEMAS["TriageGroup"] = {
    "type": "object",
    "required": ["source", "event_id", "level", "count", "template", "confident"],
    "properties": {
        "source": {"type": ["string", "null"], "description": "Provider, source or log component."},
        "event_id": {"type": ["integer", "null"]},
        "level": {"enum": ["critical", "error", "warning"]},
        "count": {"type": "integer", "minimum": 1},
        "first_seen": {"type": ["string", "null"], "description": "ISO 8601; Z when UTC."},
        "last_seen": {"type": ["string", "null"]},
        "hosts": STRINGS,
        "template": {"type": "string", "description": "The message, variable parts masked."},
        "entry": {
            "type": ["string", "null"],
            "description": "The best entry's id (the nearest one when not confident).",
        },
        "title": {"type": ["string", "null"]},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "confident": {"type": "boolean"},
    },
}
SCHEMAS["TriageReport"] = {
    "type": "object",
    "required": ["events", "groups", "skipped", "warnings"],
    "properties": {
        "events": {"type": "integer", "description": "Events read, every level."},
        "groups": {
            "type": "array",
            "items": _ref("TriageGroup"),
            "description": "Confident groups first by count, then unanswered ones by count.",
        },
        "skipped": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
        "warnings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"file": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
TRIAGE_UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "One or more logs or bundles (format read from content).",
                    }
                },
            }
        }
    },
}
PATHS["/triage"] = {
    "get": {"summary": "The log upload page", "responses": {"200": _html("The form")}},
    "post": {
        "summary": "Triage uploaded logs; the report with links to the entries",
        "requestBody": TRIAGE_UPLOAD,
        "responses": {
            "200": _html("The report"),
            "400": _html("No file, or an empty one"),
            "403": _html("Cross-site form"),
            "413": _html("Upload over KB_TRIAGE_MAX_UPLOAD, or expanding past KB_TRIAGE_MAX_BYTES"),
            "422": _html("Not a log"),
        },
    },
}
PATHS["/api/v1/triage"] = {
    "post": {
        "summary": "Triage uploaded logs: every distinct problem, its count and remedy",
        "requestBody": TRIAGE_UPLOAD,
        "responses": {
            "200": _json("The report (the shape of kb triage --json)", "TriageReport"),
            "400": _error("No file (missing_file), an empty one (empty_file), too many files"),
            "413": _error(
                "Upload over KB_TRIAGE_MAX_UPLOAD (payload_too_large), or an archive over "
                "KB_TRIAGE_MAX_BYTES or a zip bomb (input_refused)"
            ),
            "422": _error("Not a log I can read (not_a_log)"),
            **COMMON_API_ERRORS,
        },
    }
}

# The helpdesk page's permalinks, suggestions and the knowledge-gap queue (issue 11).
PASTE_POST = {
    "summary": "Diagnose a paste from the form; 303 to its permalink /r/<token>",
    "requestBody": _form(FORM, "multipart/form-data", URLENCODED),
    "responses": {
        "303": {"description": "See the result at /r/<token> (Back does not post again)"},
        "200": _html("Results, when the database cannot store a permalink"),
        "400": _html("Empty paste or bad 'top': the form again"),
        "413": _html("Paste or body over the limit"),
    },
}
PATHS["/"]["post"] = PASTE_POST
PATHS["/"]["get"]["parameters"] = [
    _param("q", "query", description="A paste: its results at once (browser search, links).")
]
PATHS["/"]["get"]["responses"]["413"] = _html("A ?q= over the paste limit")
PATHS["/diagnose"]["post"] = PASTE_POST
PATHS["/feedback"]["post"]["requestBody"]["content"][URLENCODED]["schema"]["properties"][
    "result"
] = TEXT
PATHS["/feedback"]["post"]["responses"]["200"] = {
    "description": "With Accept: application/json (the page's script): the note, in place",
    "content": {"application/json": {"schema": _object(counted={"type": "boolean"}, note=TEXT)}},
}
PATHS["/r/{token}"] = {
    "get": {
        "summary": "A stored paste and its results (a permalink, kept KB_RESULT_TTL_S)",
        "parameters": [_param("token", "path", description="128 random bits, URL-safe base64.")],
        "responses": {"200": _html("Results"), "404": _html("Unknown or expired token")},
    }
}
PATHS["/request-article"] = {
    "post": {
        "summary": "Put a paste (or a permalink's) in the knowledge-gap queue",
        "requestBody": _form(_object(text=TEXT, result=TEXT), URLENCODED, "multipart/form-data"),
        "responses": {
            "201": {
                "description": "Requested: a thank-you page, or JSON for the page's script",
                "content": {
                    "text/html": {"schema": TEXT},
                    "application/json": {"schema": _object(gap=TEXT, count=INTEGER)},
                },
            },
            "400": _html("No paste (empty_text)"),
            "413": _html("Paste or body over the limit"),
            "503": _html("The database is unreachable"),
        },
    }
}
PATHS["/kb/gaps"] = {
    "get": {
        "summary": "The knowledge gaps, most asked first (writers)",
        "responses": {"200": _html("The gap list")},
    }
}
PATHS["/kb/_stats"] = {
    "get": {
        "summary": "Deflection figures: pastes per day, confident share, votes, top gaps",
        "responses": {"200": _html("The figures, with an SVG chart")},
    }
}
SCHEMAS["Suggestion"] = _object(["id", "title", "url"], id=TEXT, title=TEXT, url=URL)
SCHEMAS["Gap"] = _object(
    ["id", "count", "template", "first_seen", "last_seen", "answered_by"],
    id=TEXT,
    count=INTEGER,
    template=TEXT,
    first_seen={"type": "string", "format": "date-time"},
    last_seen={"type": "string", "format": "date-time"},
    answered_by=OPTIONAL_TEXT,
    event_id={"type": ["integer", "null"]},
    source=OPTIONAL_TEXT,
    example=TEXT,
)
SCHEMAS["Suggestions"] = _object(
    ["suggestions"], suggestions={"type": "array", "items": _ref("Suggestion")}
)
SCHEMAS["Gaps"] = _object(["gaps"], gaps={"type": "array", "items": _ref("Gap")})
PAGING = [
    _param("limit", "query", INTEGER, description="At most this many (1..1000, default 100)."),
    _param("offset", "query", INTEGER, description="Skip this many."),
]
PATHS["/api/v1/suggest"] = {
    "get": {
        "summary": "Entries whose title words, event IDs or error codes start with what is typed",
        "parameters": [_param("q", "query", description="What was typed (200 characters used).")],
        "responses": {"200": _json("Up to 8 suggestions, best first", "Suggestions")},
    }
}
PATHS["/api/v1/gaps"] = {
    "get": {
        "summary": "The knowledge gaps, most asked first, with the entry answering each now",
        "parameters": PAGING,
        "responses": {"200": _json("The gaps", "Gaps"), **COMMON_API_ERRORS},
    }
}
PATHS["/kb/gaps"]["get"]["parameters"] = PAGING


# --- chat-ops: answers with buttons (webapp/chatops.py) ---------------------------------------
CHAT_LIMITED = {"429": _error("Over the rate limit (KB_RATELIMIT_CHAT)")}
SCHEMAS["MattermostReply"]["properties"]["attachments"] = {
    "type": "array",
    "description": "One attachment holding the buttons (integration actions).",
    "items": {"type": "object"},
}
PATHS["/api/v1/slack"]["post"]["responses"]["409"] = _error(
    "A signed request seen before (replayed)"
)
PATHS["/api/v1/slack"]["post"]["summary"] = (
    "Slack slash command (signed): a short acknowledgement now, the answer posted to response_url"
)
PATHS["/api/v1/slack/interactions"] = {
    "post": {
        "summary": "Slack buttons (block_actions, signed): count feedback, update the message",
        "parameters": PATHS["/api/v1/slack"]["post"]["parameters"],
        "requestBody": _form(
            _object(payload={"type": "string", "description": "JSON"}), URLENCODED
        ),
        "responses": {
            "200": {"description": "Empty: the message is updated through response_url"},
            "401": _error("Signature missing, wrong or stale"),
            "409": _error("A signed request seen before (replayed)"),
            "503": _error("SLACK_SIGNING_SECRET not set"),
            **CHAT_LIMITED,
            **COMMON_API_ERRORS,
        },
    }
}
PATHS["/api/v1/teams"] = {
    "post": {
        "summary": "Microsoft Teams outgoing webhook (Authorization: HMAC over the raw body)",
        "parameters": [_param("Authorization", "header", required=True)],
        "requestBody": _form(_object(type=TEXT, text=TEXT), "application/json"),
        "responses": {
            "200": _json("A message with an Adaptive Card", "TeamsReply"),
            "400": _error("Not a Teams message, or bad JSON"),
            "401": _error("HMAC missing or wrong"),
            "503": _error("TEAMS_WEBHOOK_SECRET not set, or not base64"),
            **CHAT_LIMITED,
            **COMMON_API_ERRORS,
        },
    }
}
SCHEMAS["TeamsReply"] = _object(
    ["type", "text"],
    type={"const": "message"},
    text=TEXT,
    attachments={
        "type": "array",
        "items": _object(
            contentType={"const": "application/vnd.microsoft.card.adaptive"},
            content={"type": "object"},
        ),
    },
)
PATHS["/api/v1/mattermost/actions"] = {
    "post": {
        "summary": "Mattermost buttons (integration actions; the context is signed by us)",
        "requestBody": _form(
            _object(user_id=TEXT, user_name=TEXT, context={"type": "object"}), "application/json"
        ),
        "responses": {
            "200": _json("The post updated", "MattermostUpdate"),
            "400": _error("Bad JSON, or a button that is not ours (unknown_action)"),
            "401": _error("Context missing, or its signature wrong"),
            "404": _error("The entry is no longer in the KB (unknown_entry)"),
            "503": _error("MATTERMOST_TOKEN not set"),
            **CHAT_LIMITED,
            **COMMON_API_ERRORS,
        },
    }
}
SCHEMAS["MattermostUpdate"] = _object(
    update=_object(message=MARKDOWN, props={"type": "object"}),
)

_finish(PATHS)
