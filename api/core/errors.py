"""Clear JSON errors for clients: `{"error": {"code": ..., "message": ...}}`, never a 5xx page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


class BodyTooLargeError(Exception):
    """A request body that grew past the cap while it was being read."""


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[str] | None = None


class ErrorBody(BaseModel):
    """Every 4xx and 5xx this API sends. Messages never echo what was sent."""

    error: ErrorDetail


def documented_errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's `responses=`, so the OpenAPI document tells the truth about errors."""
    return {status: {"model": ErrorBody} for status in statuses}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_error_handlers(
    app: FastAPI,
    *,
    page_not_found: Callable[[Request], Response | None] | None = None,
) -> None:
    """JSON errors for programs. `page_not_found` may answer a 404 for a person's browser
    with a page instead (the web package's, in their language, with the exit)."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error_body(error.code, error.message), status_code=error.status_code)

    @app.exception_handler(BodyTooLargeError)
    async def _too_large(_: Request, __: BodyTooLargeError) -> JSONResponse:
        return JSONResponse(error_body("too_large", "The request body is too large."), 413)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return JSONResponse(
                error_body("malformed_json", "The request body is not valid JSON."), 400
            )
        # Name the fields, never echo their values: they may be a survivor's words.
        fields = sorted({".".join(str(part) for part in p.get("loc", ())[1:]) for p in problems})
        return JSONResponse(
            {
                "error": {
                    "code": "invalid_request",
                    "message": "Some fields are missing or have the wrong type.",
                    "fields": fields,
                }
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        path = request.url.path
        if error.status_code == 404 and path.endswith("/") and path != "/":
            # "/staff/" means "/staff". Starlette's own redirect is built from the request's
            # Host header, which anyone can set: this one is relative, so it stays here.
            query = f"?{request.url.query}" if request.url.query else ""
            return Response(status_code=307, headers={"location": path.rstrip("/") + query})
        if error.status_code == 404 and page_not_found is not None:
            page = page_not_found(request)
            if page is not None:
                return page
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected error path=%s", request.url.path)
        return JSONResponse(
            error_body("internal_error", "Something went wrong. Nothing you sent was lost."),
            status_code=500,
        )
