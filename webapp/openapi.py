"""The OpenAPI 3.1 description of every route, served at ``/openapi.json``.

The schemas mirror the engine's ``to_dict()`` shapes (``Diagnosis``, ``Remedy``, ``Facts``,
``Entry``); a test walks the app's URL map and holds every route and method to this document.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _json(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


ENTRY_ID = {
    "name": "entry_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "An entry id, e.g. `dns-signature`.",
}
STRINGS = {"type": "array", "items": {"type": "string"}}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "examples": ["empty_text", "not_found", "payload_too_large"],
                    },
                    "message": {"type": "string"},
                },
            }
        },
    },
    "DiagnoseRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "description": "The pasted error; at most KB_MAX_PASTE_BYTES (1 MB) of UTF-8.",
            },
            "top": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
        },
    },
    "Facts": {
        "type": "object",
        "properties": {
            "language": {"type": "string", "enum": ["en", "zh"]},
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "source": {"type": ["string", "null"]},
                    },
                },
            },
            "sources": STRINGS,
            "codes": STRINGS,
            "products": STRINGS,
            "masked": {
                "type": "object",
                "additionalProperties": STRINGS,
                "description": "Variable parts masked before matching, by kind (host, guid, ...).",
            },
        },
    },
    "RuleHit": {
        "type": "object",
        "properties": {
            "entry": {"type": "string"},
            "rule": {"type": "string"},
            "weight": {"type": "number"},
            "facts": STRINGS,
        },
    },
    "Why": {
        "type": "object",
        "properties": {
            "summary": STRINGS,
            "rules": {"type": "array", "items": _ref("RuleHit")},
            "terms": {**STRINGS, "description": "Matched search terms (stems)."},
            "search_score": {"type": ["number", "null"]},
        },
    },
    "Result": {
        "type": "object",
        "required": ["id", "title", "score", "confidence", "why", "url"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string", "enum": ["troubleshooting", "guide"]},
            "source": {"type": ["string", "null"]},
            "score": {"type": "number"},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "why": _ref("Why"),
            "symptom": {"type": "string", "description": "Markdown"},
            "cause": {"type": "string", "description": "Markdown"},
            "fix": {"type": "string", "description": "Markdown"},
            "url": {"type": "string", "format": "uri", "description": "The entry's page."},
        },
    },
    "Diagnosis": {
        "type": "object",
        "required": ["confident", "facts", "results"],
        "properties": {
            "confident": {
                "type": "boolean",
                "description": "False when no result clears the threshold; results are then the nearest entries.",
            },
            "threshold": {"type": "number"},
            "facts": _ref("Facts"),
            "results": {"type": "array", "items": _ref("Result")},
        },
    },
    "EntrySummary": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string"},
            "source": {"type": ["string", "null"]},
            "products": STRINGS,
            "tags": STRINGS,
            "url": {"type": "string", "format": "uri"},
        },
    },
    "EntryList": {
        "type": "object",
        "properties": {"entries": {"type": "array", "items": _ref("EntrySummary")}},
    },
    "Entry": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "kind": {"type": "string"},
            "language": {"type": "string"},
            "source": {"type": ["string", "null"]},
            "products": STRINGS,
            "tags": STRINGS,
            "signatures": {"type": "object"},
            "rules": {"type": "array", "items": {"type": "object"}},
            "examples": STRINGS,
            "see_also": STRINGS,
            "owner": {"type": "string"},
            "sections": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Section name -> Markdown.",
            },
            "url": {"type": "string", "format": "uri"},
            "feedback": {
                "type": "object",
                "properties": {"solved": {"type": "integer"}, "not_helpful": {"type": "integer"}},
            },
        },
    },
    "Health": {
        "type": "object",
        "properties": {
            "status": {"const": "ok"},
            "entries": {"type": "integer"},
            "broken_files": {"type": "integer"},
        },
    },
    "SlackReply": {
        "type": "object",
        "properties": {
            "response_type": {"const": "ephemeral"},
            "text": {"type": "string"},
            "blocks": {"type": "array", "maxItems": 50, "items": {"type": "object"}},
        },
    },
    "MattermostReply": {
        "type": "object",
        "properties": {
            "response_type": {"enum": ["ephemeral", "comment"]},
            "text": {"type": "string", "description": "Markdown"},
        },
    },
}

FORM = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "top": {"type": "integer", "minimum": 1, "maximum": 20},
    },
}
COMMON_API_ERRORS = {
    "404": _error("No such route or entry"),
    "405": _error("Wrong method"),
    "500": _error("Server error (no details)"),
}

PATHS = {
    "/": {"get": {"summary": "The paste box", "responses": {"200": _html("The form")}}},
    "/diagnose": {
        "post": {
            "summary": "Diagnose a paste from the form; the ranked remedies as cards",
            "requestBody": {
                "content": {
                    "multipart/form-data": {"schema": FORM},
                    "application/x-www-form-urlencoded": {"schema": FORM},
                }
            },
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
            "parameters": [
                {"name": "product", "in": "query", "schema": {"type": "string"}},
                {"name": "tag", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "q",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "Words that must all appear in an entry's id, title, tags or products.",
                },
            ],
            "responses": {"200": _html("The list")},
        }
    },
    "/kb/{entry_id}": {
        "get": {
            "summary": "One entry, whole, with its feedback counts",
            "parameters": [
                ENTRY_ID,
                {
                    "name": "feedback",
                    "in": "query",
                    "schema": {"enum": ["solved", "not_helpful"]},
                    "description": "Show the thank-you note after feedback.",
                },
            ],
            "responses": {"200": _html("The entry"), "404": _html("Unknown id")},
        }
    },
    "/feedback": {
        "post": {
            "summary": "Record 'solved it' / 'didn't help' for an entry, then 303 to the entry page",
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "required": ["entry_id", "verdict"],
                            "properties": {
                                "entry_id": {"type": "string"},
                                "verdict": {"enum": ["solved", "not_helpful"]},
                                "paste_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                            },
                        }
                    }
                }
            },
            "responses": {
                "303": {"description": "Back to the entry page with a thank-you"},
                "400": _html("Bad verdict"),
                "403": _html("Cross-site form"),
                "404": _html("Unknown entry"),
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
            "parameters": [
                {"name": "filename", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "A static file"}, "404": _html("No such file")},
        }
    },
    "/api/v1/diagnose": {
        "post": {
            "summary": "Diagnose a paste: ranked remedies, confidence, why",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("DiagnoseRequest")}},
            },
            "responses": {
                "200": _json(
                    "The diagnosis (results are the nearest entries even when not confident)",
                    "Diagnosis",
                ),
                "400": _error("Missing or empty text, bad JSON, wrong types, top out of 1..20"),
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
            "parameters": [
                {"name": "product", "in": "query", "schema": {"type": "string"}},
                {"name": "tag", "in": "query", "schema": {"type": "string"}},
            ],
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
    "/api/v1/slack": {
        "post": {
            "summary": "Slack slash command (signed with the app's signing secret)",
            "parameters": [
                {
                    "name": "X-Slack-Signature",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {
                    "name": "X-Slack-Request-Timestamp",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string"},
                                "command": {"type": "string"},
                                "ssl_check": {"type": "string"},
                            },
                        }
                    }
                }
            },
            "responses": {
                "200": _json("Block Kit reply (empty for ssl_check=1)", "SlackReply"),
                "401": _error("Signature missing, wrong or stale"),
                "503": _error("SLACK_SIGNING_SECRET not set"),
                **COMMON_API_ERRORS,
            },
        },
        "get": {
            "summary": "Slack's certificate check (ssl_check=1 only)",
            "parameters": [{"name": "ssl_check", "in": "query", "schema": {"const": "1"}}],
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
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "token": {"type": "string"},
                                "text": {"type": "string"},
                                "trigger_word": {"type": "string"},
                                "command": {"type": "string"},
                            },
                        }
                    },
                    "application/json": {"schema": {"type": "object"}},
                }
            },
            "responses": {
                "200": _json("Markdown reply", "MattermostReply"),
                "400": _error("Bad JSON"),
                "401": _error("Token missing or wrong"),
                "503": _error("MATTERMOST_TOKEN not set"),
                **COMMON_API_ERRORS,
            },
        }
    },
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
    "components": {"schemas": SCHEMAS},
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
