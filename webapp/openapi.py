"""The OpenAPI 3.1 description of the publishers' API (served at ``/api/openapi.json``)."""

from __future__ import annotations

FORMATS = ["text/turtle", "application/n-triples", "application/n-quads", "application/trig",
           "application/rdf+xml", "application/ld+json"]


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _report(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}}


SLUG = {"name": "slug", "in": "path", "required": True, "description": "The source's slug.",
        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}}
RUN = {"name": "run_id", "in": "path", "required": True,
       "description": "A run id, as listed by the runs route.", "schema": {"type": "string"}}
AUTH_ERRORS = {"401": _error("No token, or an unknown or revoked one."),
               "403": _error("The token publishes another source.")}


def document(server: str) -> dict:
    """The API description, with the site's own address as the server."""
    finding = {"type": "object", "properties": {
        "severity": {"enum": ["Violation", "Warning", "Info"]},
        "focus": {"type": "string", "description": "IRI of the node at fault"},
        "path": {"type": ["string", "null"]}, "value": {"type": ["string", "null"]},
        "message": {"type": "string"}, "shape": {"type": ["string", "null"]},
        "record": {"type": ["string", "null"]},
        "explanation": {"type": "object", "description": "The problem in the reader's language "
                        "(Accept-Language): property label, what is wrong, how to fix it."}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Catalogue publishers' API", "version": "1.0.0",
                 "description": "Upload ADMS-AP dumps of a federated source, read the "
                                "validation report and the diff of every run, roll back. "
                                "Authenticate with 'Authorization: Bearer TOKEN' "
                                "(created with 'catalogue token create SLUG')."},
        "servers": [{"url": server}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "properties": {
                        "status": {"type": "integer"}, "message": {"type": "string"}}}}},
                "Report": {"type": "object", "required": ["conforms", "records", "results",
                                                         "error", "diff"], "properties": {
                    "conforms": {"type": "boolean"},
                    "records": {"type": "object", "properties": {
                        "accepted": {"type": "integer"}, "rejected": {"type": "integer"}}},
                    "results": {"type": "array", "items": finding},
                    "error": {"type": ["object", "null"], "properties": {
                        "message": {"type": "string"}, "line": {"type": ["integer", "null"]},
                        "column": {"type": ["integer", "null"]}}},
                    "diff": {"type": ["object", "null"], "properties": {
                        k: {"type": "array", "items": {"type": "string"}}
                        for k in ("added", "removed", "changed")}},
                    "stored": {"type": "boolean"}, "activity": {"type": ["string", "null"]},
                    "validated": {"type": ["integer", "null"], "description":
                                  "records SHACL checked; the others were unchanged since "
                                  "the source's current version and kept its verdict"},
                    "quality": {"type": "object"}}},
            },
        },
        "security": [{"token": []}],
        "paths": {
            "/api/sources/{slug}/dumps": {"post": {
                "summary": "Upload a dump: validate it and, unless this is a dry run, store it",
                "parameters": [
                    SLUG,
                    {"name": "mode", "in": "query", "schema": {"enum": ["strict", "partial"],
                                                              "default": "strict"},
                     "description": "strict: any violation rejects the dump; partial: valid "
                                    "records are stored, invalid ones quarantined."},
                    {"name": "dry_run", "in": "query", "schema": {"type": "boolean",
                                                                 "default": False},
                     "description": "Validate only; store nothing."},
                    {"name": "async", "in": "query", "schema": {"type": "boolean",
                                                               "default": False},
                     "description": "Answer 202 at once and work in the background (always "
                                    "so for dumps over the configured size)."},
                    {"name": "format", "in": "query", "schema": {"type": "string"},
                     "description": "ttl, nt, nq, trig, rdf, jsonld, if Content-Type does not say."}],
                "requestBody": {"required": True, "content": {
                    f: {"schema": {"type": "string", "format": "binary"}} for f in FORMATS}},
                "responses": {
                    "200": _report("Dry run: the dump would be stored."),
                    "202": {"description": "Accepted: poll Location (the job) until its "
                                           "status is stored, rejected or failed.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    "201": {**_report("Stored; Location is the new run."),
                            "headers": {"Location": {"schema": {"type": "string"}}}},
                    "400": _report("Unreadable input: the report's error has line and column."),
                    **AUTH_ERRORS,
                    "413": _error("Over the size limit."),
                    "415": _report("The format is unknown."),
                    "422": _report("Validation rejects the dump; nothing was stored."),
                    "429": _error("The source already has as many background uploads queued or "
                                  "running as it may (CATALOGUE_UPLOAD_JOBS_PER_SOURCE): send it "
                                  "again once one ends (Retry-After)."),
                }}},
            "/api/sources/{slug}/jobs/{job_id}": {"get": {
                "summary": "A background upload: its status, and its report once ended",
                "parameters": [SLUG, {"name": "job_id", "in": "path", "required": True,
                                      "schema": {"type": "string"}}],
                "responses": {"200": {"description": "status: queued, running, stored, "
                                                     "rejected, checked (a dry run on the site) "
                                                     "or failed (with the reason in the "
                                                     "report's error, e.g. the server stopped); "
                                                     "report; run URL.",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "properties": {
                                              "status": {"enum": ["queued", "running", "stored",
                                                                  "rejected", "checked", "failed"]},
                                              "report": {"type": ["object", "null"]},
                                              "run": {"type": "string"}}}}}},
                              **AUTH_ERRORS, "404": _error("No such job for this source.")}}},
            "/api/sources/{slug}/runs": {"get": {
                "summary": "The source's runs, newest first",
                "parameters": [SLUG],
                "responses": {"200": {"description": "Runs with their counts.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              **AUTH_ERRORS}}},
            "/api/sources/{slug}/runs/{run_id}": {"get": {
                "summary": "One run: its report, diff and property changes",
                "parameters": [SLUG, RUN],
                "responses": {"200": {"description": "The run.", "content": {
                    "application/json": {"schema": {"type": "object"}}}},
                    **AUTH_ERRORS, "404": _error("No such run.")}}},
            "/api/sources/{slug}/runs/{run_id}/report.ttl": {"get": {
                "summary": "The run's SHACL validation report in Turtle",
                "parameters": [SLUG, RUN],
                "responses": {"200": {"description": "sh:ValidationReport", "content": {
                    "text/turtle": {"schema": {"type": "string"}}}},
                    **AUTH_ERRORS, "404": _error("No such run.")}}},
            "/api/sources/{slug}/rollback": {"post": {
                "summary": "Make a kept earlier version current again",
                "parameters": [SLUG],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["version"],
                    "properties": {"version": {"type": "string"}}}}}},
                "responses": {"201": _report("Rolled back; Location is the new run."),
                              "400": _error("No version named."), **AUTH_ERRORS,
                              "404": _error("No such version kept."),
                              "409": _error("That version is already current.")}}},
        },
    }
