"""RFC 9457 problem documents: the one shape every error of the server takes."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

PROBLEM_BASE = "https://atrium.example.com/problems/"
log = logging.getLogger("atrium.server")


class Problem(Exception):
    """Raise to answer with a problem document; nothing of the failed write is kept."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.extra = extra

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind if self.kind else "about:blank",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        doc.update(self.extra)
        return doc


def not_found(what: str = "resource") -> Problem:
    """The same answer for missing and invisible things: never reveal a private one."""
    return Problem(404, "Not found", f"No such {what}, or you cannot see it.", kind="not-found")


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, kind="forbidden")


def too_large(field: str, limit: int, unit: str = "bytes") -> Problem:
    return Problem(
        413, "Too large", f"'{field}' is over the limit of {limit} {unit}.", kind="too-large", field=field
    )


def invalid(field: str, message: str) -> Problem:
    return Problem(
        422,
        "Invalid input",
        f"{field}: {message}",
        kind="invalid",
        errors=[{"field": field, "message": message}],
    )


def conflict(detail: str, **extra: Any) -> Problem:
    return Problem(409, "Conflict", detail, kind="conflict", **extra)


def problem_response(problem: Problem) -> Response:
    return Response(
        orjson.dumps(problem.document()),
        status_code=problem.status,
        media_type="application/problem+json",
        headers=problem.headers,
    )


_STATUS_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
}


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body",)]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_request: Request, exc: Problem) -> Response:
        return problem_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        title = _STATUS_TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404:
            detail = "No such resource, or you cannot see it."
        return problem_response(Problem(exc.status_code, title, detail, headers=dict(exc.headers or {})))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        if any(error.get("type") == "json_invalid" for error in errors):
            return problem_response(
                Problem(400, "Malformed JSON", "The request body is not valid JSON.", kind="malformed-json")
            )
        fields = [
            {"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}
            for error in errors
        ]
        detail = "; ".join(f"{item['field']}: {item['message']}" for item in fields)
        return problem_response(Problem(422, "Invalid input", detail, kind="invalid", errors=fields))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        log.exception("unexpected error", exc_info=exc)
        return problem_response(Problem(500, "Server error", "Something went wrong on the server."))
