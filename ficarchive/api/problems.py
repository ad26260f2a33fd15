"""Errors as RFC 9457 problem details (`application/problem+json`): a `type`, the `status`, a
`title`, a `detail` as clear as the web form's message and, where one field is at fault, its
name in `field` (and every field's in `errors` for a request that fails validation)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from ficarchive.storage import cannot_save
from ficarchive.works.services import body_limit_help

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Content too large",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """What a view raises to answer with a problem: the status, the message and the field."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


def plain_problem(status: int, detail: str) -> HttpResponse:
    """A problem answered before the API's own code runs (the request guard's refusals)."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    return HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)


def problem(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, **more: Any
) -> HttpResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status}
    body["detail"] = detail
    body.update({key: value for key, value in more.items() if value is not None})
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = MEDIA_TYPE
    return response


def _where(location: tuple[Any, ...] | list[Any]) -> str:
    """A validation error's location as a field name: `query.words_from` → `words_from`."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("query", "path", "body", "form", "header", "cookie", "file"):
        parts = parts[1:]
    if parts and parts[0] in ("payload", "filters", "data"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    """Answer every error of the API as a problem, never an HTML page or a trace."""

    def on_problem(request: HttpRequest, error: Any) -> HttpResponse:
        return problem(api, request, error.status, error.detail, field=error.field)

    def on_validation(request: HttpRequest, error: Any) -> HttpResponse:
        errors = [
            {"field": _where(item.get("loc", ())), "message": str(item.get("msg", ""))}
            for item in error.errors
        ]
        first = errors[0] if errors else {"field": "body", "message": "is not valid"}
        detail = f"{first['field']}: {first['message']}"
        return problem(api, request, 422, detail, field=first["field"], errors=errors)

    def on_http(request: HttpRequest, error: Any) -> HttpResponse:
        status = error.status_code
        if isinstance(error, AuthenticationError):
            detail = (
                "The token is not valid: it is unknown, revoked or expired."
                if request.headers.get("Authorization")
                else "This needs a token (Authorization: Bearer …) or a logged-in session."
            )
            response = problem(api, request, 401, detail)
            response["WWW-Authenticate"] = 'Bearer realm="ficarchive"'
            return response
        if isinstance(error, Throttled):
            wait = f" Try again in {int(error.wait) + 1} seconds." if error.wait else ""
            return problem(api, request, 429, f"Too many requests.{wait}")
        return problem(api, request, status, str(error))

    def on_404(request: HttpRequest, error: Any) -> HttpResponse:
        # Django's own message ("No Work matches the given query.") names a model, not a thing.
        detail = str(error)
        if not detail or detail.endswith("matches the given query."):
            detail = "Nothing is here, or nothing you may see."
        return problem(api, request, 404, detail)

    def on_denied(request: HttpRequest, error: Any) -> HttpResponse:
        return problem(api, request, 403, str(error) or "You may not do that.")

    def on_unreadable(request: HttpRequest, error: Any) -> HttpResponse:
        detail = f"The request's multipart body cannot be read: {error}."
        return problem(api, request, 400, detail, field="body")

    def on_too_big(request: HttpRequest, error: Any) -> HttpResponse:
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        detail = (
            f"The request is larger than the archive reads ({megabytes:,} MB). {body_limit_help()}"
        )
        return problem(api, request, 413, detail, field="body")

    def on_error(request: HttpRequest, error: Any) -> HttpResponse:
        reason = cannot_save(error)
        if reason is not None:  # as the web's pages say it (server.guards)
            return problem(api, request, 503, f"The archive cannot save right now: {reason}.")
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(api, request, 500, "Something went wrong on the archive's side.")

    api.add_exception_handler(Exception, on_error)
    api.add_exception_handler(Problem, on_problem)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(MultiPartParserError, on_unreadable)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
