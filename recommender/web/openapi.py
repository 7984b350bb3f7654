"""The OpenAPI 3.1 document for API v1, built from the quiz contract so the two cannot drift."""

from __future__ import annotations

from typing import Any

from recommender.domain import catalog, quiz
from recommender.services.recommendations import MAX_LIMIT


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def answers_schema() -> dict[str, Any]:
    """JSON Schema of the quiz answers (contract v1)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(quiz.FIELDS),
        "properties": {
            "interests": {
                "type": "array",
                "items": _enum(quiz.INTERESTS),
                "minItems": 1,
                "maxItems": quiz.MAX_INTERESTS,
                "uniqueItems": True,
            },
            "background": _enum(quiz.BACKGROUNDS),
            "experience_years": {
                "type": "integer",
                "minimum": quiz.EXPERIENCE_RANGE[0],
                "maximum": quiz.EXPERIENCE_RANGE[1],
            },
            "goal": _enum(quiz.GOALS),
            "industry": _enum(quiz.INDUSTRIES),
            "format": _enum(quiz.FORMATS),
            "pace": _enum(quiz.PACES),
            "max_budget_usd": {
                "type": ["integer", "null"],
                "minimum": quiz.BUDGET_RANGE[0],
                "maximum": quiz.BUDGET_RANGE[1],
            },
            "region": _enum(quiz.REGIONS),
        },
    }


ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    },
}
NULLABLE_STR = {"type": ["string", "null"]}


def openapi_document() -> dict[str, Any]:
    """The whole document."""
    error = {
        "description": "Bad input",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }
    program = {
        "type": "object",
        "required": [
            "id",
            "university",
            "program",
            "url",
            "score",
            "formats",
            "paces",
            "region",
            "tuition_usd",
            "reasons",
            "fit",
            "constraint_misses",
            "constraint_unknowns",
        ],
        "properties": {
            "id": {"type": "string"},
            "university": {"type": "string"},
            "program": {"type": "string"},
            "url": NULLABLE_STR,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "band": _enum(("strong", "good", "some", "little")),
            "formats": {"type": "array", "items": _enum(catalog.PROGRAM_FORMATS)},
            "paces": {"type": "array", "items": _enum(catalog.PROGRAM_PACES)},
            "region": _enum(catalog.PROGRAM_REGIONS),
            "tuition_usd": {"type": ["integer", "null"]},
            "tuition_year": NULLABLE_STR,
            "reasons": {"type": "array", "items": {"type": "string"}},
            "fit": _enum(("meets", "unknown", "misses")),
            "constraint_misses": {"type": "array", "items": _enum(("format", "pace", "budget", "region"))},
            "constraint_unknowns": {"type": "array", "items": _enum(("format", "pace", "budget"))},
            "sources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["url", "kind", "host"],
                    "properties": {
                        "url": {"type": "string"},
                        "kind": _enum(("official", "third-party")),
                        "host": {"type": "string"},
                    },
                },
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MEM Match API",
            "version": "1",
            "description": "Recommends MEM specializations, real programs and career roles from quiz answers. "
            "No sign-up, no paid placement.",
        },
        "paths": {
            "/api/v1/recommendations": {
                "post": {
                    "summary": "Recommend for one set of quiz answers",
                    "operationId": "createRecommendation",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answers"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Ranked results",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Recommendation"}}
                            },
                        },
                        "400": error,
                        "413": error,
                        "415": error,
                        "503": {
                            "description": "Temporarily unavailable",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
                        },
                    },
                }
            },
            "/api/v1/specializations": {
                "get": {
                    "summary": "The specializations",
                    "operationId": "listSpecializations",
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                }
            },
            "/api/v1/programs": {
                "get": {
                    "summary": "The programs of the active version",
                    "operationId": "listPrograms",
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                }
            },
            "/api/v1/roles": {
                "get": {
                    "summary": "Career roles",
                    "operationId": "listRoles",
                    "responses": {
                        "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Liveness",
                    "operationId": "healthz",
                    "responses": {
                        "200": {
                            "description": "Alive",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["status", "model_version"],
                                        "properties": {"status": {"const": "ok"}, "model_version": NULLABLE_STR},
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Answers": answers_schema(),
                "Errors": ERRORS,
                "Program": program,
                "Recommendation": {
                    "type": "object",
                    "required": ["model_version", "specializations", "programs", "roles", "result_url"],
                    "properties": {
                        "model_version": {"type": "string"},
                        "specializations": {
                            "type": "array",
                            "minItems": 8,
                            "maxItems": 8,
                            "items": {
                                "type": "object",
                                "required": ["id", "name", "score", "reasons"],
                                "properties": {
                                    "id": _enum(catalog.SPECIALIZATION_IDS),
                                    "name": {"type": "string"},
                                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                                    "band": _enum(("strong", "good", "some", "little")),
                                    "reasons": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        },
                        "programs": {
                            "type": "array",
                            "maxItems": MAX_LIMIT,
                            "items": {"$ref": "#/components/schemas/Program"},
                        },
                        "roles": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "title", "url", "median_pay_usd", "pay_source"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "url": NULLABLE_STR,
                                    "median_pay_usd": {"type": ["integer", "null"]},
                                    "pay_source": NULLABLE_STR,
                                    "pay_percentiles": {
                                        "type": ["object", "null"],
                                        "properties": {
                                            k: {"type": ["integer", "null"]}
                                            for k in ("p10", "p25", "p50", "p75", "p90")
                                        },
                                    },
                                    "pay_url": NULLABLE_STR,
                                },
                            },
                        },
                        "result_url": {"type": "string", "pattern": "^/results/"},
                    },
                },
            }
        },
    }
