//! The OpenAPI 3.1 document, written from the endpoint table so that it cannot drift from
//! what the server answers.

use axum::Json;
use serde_json::{json, Map, Value};

use crate::endpoints::{In, ENDPOINTS};

/// GET /api/openapi.json.
pub(crate) async fn document() -> Json<Value> {
    Json(openapi())
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The document.
pub fn openapi() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS.iter().filter(|e| e.is_api()) {
        let mut responses = Map::new();
        let ok = match e.body {
            Some(
                "NewNote" | "NewJudgement" | "NewUser" | "NewToken" | "ParagraphEdit"
                | "StatusChange" | "NewClaim" | "NewRecall" | "Receipt" | "NewPartner",
            ) => "201",
            Some("NewJob" | "Upload" | "NewRound") => "202",
            _ => "200",
        };
        let content = match e.answer {
            crate::endpoints::Answer::Stream(media) => {
                json!({ media: {"schema": {}} })
            }
            _ => json!({"application/json": {"schema": {"type": "object"}}}),
        };
        responses.insert(
            ok.into(),
            json!({"description": "Done.", "content": content}),
        );
        responses.insert(
            "400".into(),
            error_response("The request cannot be taken as sent."),
        );
        if e.action.is_some() {
            responses.insert(
                "401".into(),
                error_response("No credentials, or credentials that do not hold."),
            );
            responses.insert("403".into(), error_response("The role or the token's scopes do not allow this, or the CSRF token is missing."));
        } else if e.body == Some("SignIn") {
            responses.insert(
                "401".into(),
                error_response("The name or the password is wrong."),
            );
            responses.insert("429".into(), error_response("Too many failed sign-ins."));
        }
        // Anything that names something may not find it (a unit, a person, persons not yet
        // resolved, a document a note is on).
        if e.action.is_some() && e.action != Some(kartoteka_model::Action::SeeSelf) {
            responses.insert(
                "404".into(),
                error_response("Nothing by that number or reference."),
            );
        }
        if e.method.changes_state() && e.action.is_some() || e.body == Some("SignIn") {
            responses.insert("503".into(), error_response("Another writer holds the archive longer than the server waits (busy), or the archive was changed outside kartoteka (tampered)."));
        }
        match e.body {
            Some("NewRound") => {
                responses.insert(
                    "409".into(),
                    error_response("A partner named is suspended and receives nothing."),
                );
            }
            Some("Receipt") => {
                responses.insert(
                    "409".into(),
                    error_response("The package's receipt is recorded already."),
                );
            }
            _ => {}
        }
        if e.body.is_some() {
            responses.insert("413".into(), error_response("The body is too large."));
            responses.insert(
                "415".into(),
                error_response("The body is not of the type this endpoint takes."),
            );
        }
        let parameters: Vec<Value> = e
            .params
            .iter()
            .map(|p| {
                let mut schema = json!({"type": p.kind});
                if p.kind == "integer" {
                    schema["format"] = json!("int64");
                    schema["minimum"] = json!(if p.name == "offset" { 0 } else { 1 });
                    schema["maximum"] = json!(i64::MAX);
                }
                if p.name == "format" {
                    // Every name the archive's format filter takes, and none.
                    schema["enum"] = json!([
                        "", "text", "txt", "plain", "markdown", "md", "html", "htm", "pdf", "docx",
                        "word", "image", "tiff", "tif", "png", "jpeg", "jpg", "scan"
                    ]);
                }
                if p.name == "limit" {
                    // The audit log is read in longer stretches than hits or persons.
                    schema["maximum"] = if e.path.starts_with("/api/audit") {
                        json!(crate::audit::MOST)
                    } else {
                        json!(crate::api::MAX_LIMIT)
                    };
                }
                if p.name == "offset" {
                    schema["maximum"] = json!(crate::api::MAX_OFFSET);
                }
                if p.name == "q" && p.required {
                    schema["minLength"] = json!(1);
                    schema["maxLength"] = json!(2000);
                }
                if p.name == "name" && p.location == In::Path {
                    schema["minLength"] = json!(1);
                    schema["maxLength"] = json!(64);
                }
                if p.name == "unit" {
                    schema["maxLength"] = json!(300);
                }
                if p.name == "id" && e.path.contains("/packages/") {
                    schema["pattern"] = json!("^PKG-[A-Za-z0-9-]{1,96}$");
                } else if p.name == "id" && p.kind == "string" {
                    let prefix = if e.path.contains("/jobs/") {
                        "J"
                    } else if e.path.contains("/tokens/") {
                        "T"
                    } else {
                        "P"
                    };
                    schema["pattern"] = json!(format!("^{prefix}[0-9]{{1,18}}$"));
                }
                json!({
                    "name": p.name,
                    "in": if p.location == In::Path { "path" } else { "query" },
                    "required": p.required,
                    "description": p.about,
                    "schema": schema,
                })
            })
            .collect();
        let mut operation = json!({
            "summary": e.summary,
            "operationId": format!("{}{}", e.method.as_str().to_lowercase(),
                e.path.replace(['/', '.', '{', '}'], "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if e.action.is_none() {
            operation["security"] = json!([]);
        }
        match e.body {
            Some("Upload") => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
                });
            }
            Some(body) => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}
                });
            }
            None => {}
        }
        let entry = paths
            .entry(e.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[e.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kartoteka reading room",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Search, read and annotate an archive. Every path but this document and the sign-in needs a token (`kartoteka token create`) sent as `Authorization: Bearer TOKEN`, or a session cookie with its CSRF token in `X-CSRF-Token` on changes.",
        },
        "paths": paths,
        "security": [{"bearer": []}, {"session": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::SESSION_COOKIE},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": {"type": "string", "enum": ["unauthorized", "forbidden", "csrf", "not_found", "method_not_allowed", "bad_request", "conflict", "payload_too_large", "too_many_requests", "busy", "tampered", "internal"]},
                            "message": {"type": "string"},
                        },
                    }},
                },
                "SignIn": {
                    "type": "object",
                    "required": ["name", "password"],
                    "properties": {"name": {"type": "string"}, "password": {"type": "string"}},
                },
                "NewJudgement": {
                    "type": "object",
                    "required": ["a", "b", "verdict", "why"],
                    "properties": {
                        "a": {"type": "string", "pattern": "^(P?[0-9]{1,18})$", "description": "A person id (P17) or a mention number."},
                        "b": {"type": "string", "pattern": "^(P?[0-9]{1,18})$", "description": "The other person or mention."},
                        "verdict": {"type": "string", "enum": ["same", "different", "unsure"]},
                        "why": {"type": "string", "pattern": "\\S", "maxLength": 10000, "description": "Why, in the judge's words."},
                    },
                },
                "NewUser": {
                    "type": "object",
                    "required": ["name", "role"],
                    "additionalProperties": false,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 64, "description": "The sign-in name: letters, digits and . _ - @."},
                        "role": {"type": "string", "enum": ["archivist", "researcher", "analyst", "reviewer", "release-officer", "liaison", "administrator"]},
                        "partner": {"type": ["string", "null"], "maxLength": 200, "description": "A liaison's partner (an id from `kartoteka partners`); no one else's."},
                        "password": {"type": ["string", "null"], "maxLength": 1024, "description": "At least 12 characters; none for a user of tokens only."},
                    },
                },
                "NewToken": {
                    "type": "object",
                    "required": ["user", "scopes"],
                    "additionalProperties": false,
                    "properties": {
                        "user": {"type": "string", "minLength": 1, "maxLength": 64},
                        "scopes": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["read", "write", "admin"]}},
                    },
                },
                "FindingNote": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {
                        "status": {"type": "string", "enum": ["open", "under_investigation", "explained"]},
                        "note": {"type": ["string", "null"], "maxLength": 10000, "description": "What explains it; needed for explained."},
                    },
                },
                "ParagraphEdit": {
                    "type": "object",
                    "properties": {
                        "marking": {"type": ["string", "null"], "maxLength": 500, "description": "The new marking, e.g. CONFIDENTIAL//REL TO GBR."},
                        "text": {"type": ["string", "null"], "maxLength": 100000, "description": "The new text."},
                        "why": {"type": "string", "maxLength": 10000, "description": "Why; needed to lower a marking below its sources'."},
                    },
                },
                "StatusChange": {
                    "type": "object",
                    "required": ["to"],
                    "properties": {
                        "to": {"type": "string", "enum": ["reviewed", "approved"]},
                        "why": {"type": "string", "maxLength": 10000},
                    },
                },
                "BuildRequest": {
                    "type": "object",
                    "required": ["subject"],
                    "properties": {
                        "subject": {"type": "string", "maxLength": 500, "description": "A person's id or a name that picks out one."},
                    },
                },
                "NewClaim": {
                    "type": "object",
                    "required": ["subject", "text", "grade", "why", "cites"],
                    "properties": {
                        "subject": {"type": "string", "maxLength": 500},
                        "text": {"type": "string", "maxLength": 10000},
                        "grade": {"type": "string", "maxLength": 2, "description": "Source reliability A-F and information credibility 1-6: B2."},
                        "why": {"type": "string", "maxLength": 10000, "description": "Why the grade."},
                        "cites": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string", "maxLength": 500}, "description": "Spans: DOC[/PAGE]:START-END."},
                    },
                },
                "NewRecall": {
                    "type": "object",
                    "required": ["report", "why"],
                    "properties": {
                        "report": {"type": "string", "maxLength": 200},
                        "why": {"type": "string", "maxLength": 10000},
                    },
                },
                "Receipt": {
                    "type": "object",
                    "required": ["package", "partner", "sha256", "received_at", "signature"],
                    "properties": {
                        "package": {"type": "string", "maxLength": 200},
                        "partner": {"type": "string", "maxLength": 200},
                        "sha256": {"type": "string", "maxLength": 64},
                        "received_at": {"type": "string", "maxLength": 64},
                        "signature": {"type": "string", "maxLength": 256},
                    },
                },
                "NewPartner": {
                    "type": "object",
                    "required": ["country", "service", "clearance", "recipient", "verify_key", "why"],
                    "properties": {
                        "country": {"type": "string", "maxLength": 3},
                        "service": {"type": "string", "maxLength": 100},
                        "clearance": {"type": "string", "maxLength": 50},
                        "caveats": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 100}},
                        "groups": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 100}},
                        "recipient": {"type": "string", "maxLength": 200, "description": "Its age X25519 recipient (age1...)."},
                        "verify_key": {"type": "string", "maxLength": 64, "description": "Its Ed25519 public key, 64 hex digits."},
                        "need_countries": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 3}},
                        "need_topics": {"type": "array", "maxItems": 100, "items": {"type": "string", "maxLength": 200}},
                        "why": {"type": "string", "maxLength": 10000},
                    },
                },
                "PartnerState": {
                    "type": "object",
                    "required": ["state", "why"],
                    "properties": {
                        "state": {"type": "string", "enum": ["active", "suspended"]},
                        "why": {"type": "string", "maxLength": 10000},
                    },
                },
                "NewRound": {
                    "type": "object",
                    "required": ["partners"],
                    "properties": {
                        "partners": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string", "maxLength": 200}, "description": "The partners to send to (ids from `kartoteka partners`)."},
                    },
                },
                "NewJob": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["verify", "retry", "gaps", "resolve", "reports"]},
                    },
                },
                "NewNote": {
                    "type": "object",
                    "required": ["target", "quote"],
                    "properties": {
                        "target": {"type": "string", "pattern": "\\S", "maxLength": 500, "description": "A document number or a reference code."},
                        "quote": {"type": "string", "pattern": "\\S", "maxLength": 10000, "description": "The passage, as the reader sees it."},
                        "sheet": {"type": ["integer", "null"], "minimum": 1, "maximum": 4294967295u64},
                        "comment": {"type": ["string", "null"]},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "selector": {
                            "type": ["object", "null"],
                            "description": "Where the reader selected the quote (W3C TextPositionSelector and TextQuoteSelector on one page).",
                            "required": ["page"],
                            "properties": {
                                "page": {"type": "integer", "minimum": 1, "maximum": 4294967295u64},
                                "start": {"type": ["integer", "null"], "minimum": 0, "maximum": 4294967295u64},
                                "prefix": {"type": "string", "maxLength": 200},
                                "suffix": {"type": "string", "maxLength": 200},
                            },
                        },
                    },
                },
            },
        },
    })
}
