"""Errors of the API as RFC 9457 problem details (application/problem+json), never an HTML page."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An API error with its status, title and detail; the blueprint's handler answers with it."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem_response(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def from_problem(error: Problem) -> Response:
    return problem_response(error.status, error.title, error.detail, **error.extra)


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    response = problem_response(status, error.name, error.description or error.name)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response
