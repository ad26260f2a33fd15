"""Requests refused before a view reads them, and the answer when the archive cannot save.

`RequestGuardMiddleware` answers 400 with a line that names the parameter and what is wrong,
where a view would otherwise fail deep inside with a 500 (a battery of 734 malformed requests
found 12):

- a NUL character anywhere in the path or the query: PostgreSQL refuses NUL in text, so any
  lookup with one failed;
- a number in a parameter that names an id which no id column can hold: 40 digits overflow
  every integer column, and "²" passes `str.isdigit()` yet fails `int()`. Other text there
  ("abc", "-1") is left to the views, which say what they expect in their own words; page
  numbers are Django's paginator's to read, and it reads any text (past the end: the last page);
- a query string longer than `MAX_QUERY_STRING`: gunicorn refuses long request lines, other
  servers may not.

When the storage refuses a write (a full disk, a read-only data folder; `ficarchive.storage`),
the request is answered 503 with a page that says so, from the middleware for errors of views
and from `server_error` (the site's handler500) for errors anywhere else, such as a session
saved on the way out. Reading pages do not write (their side writes are best effort), so on
such a day reading goes on and only saving is refused.

A request too large to read (`DATA_UPLOAD_MAX_MEMORY_SIZE`, a 32 MB form by default) gets a 413
page from `bad_request`, the site's handler400, naming the limits.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views import defaults

from ficarchive.api.problems import plain_problem
from ficarchive.storage import DISK_FULL, cannot_save
from ficarchive.works.services import body_limit_help

logger = logging.getLogger(__name__)

MAX_QUERY_STRING = 8192  # bytes, twice what gunicorn lets through in a whole request line
# Parameters whose value is an id: ids fit a 64-bit column, which 18 digits always do.
NUMBER_PARAMETERS = frozenset({"include", "exclude", "work", "comment", "chapter_id"})
_NUMBER = re.compile(r"[0-9]{1,18}")
_SHOWN = 40  # characters of a refused value quoted back


def _refusal(request: HttpRequest) -> str | None:
    """What is wrong with the request's address, or None when nothing is."""
    if "\x00" in request.path:
        return "The address holds a NUL character; leave it out."
    query = request.META.get("QUERY_STRING", "")
    if len(query) > MAX_QUERY_STRING:
        return (
            f"The address is too long: its query is {len(query):,} characters, "
            f"the archive reads up to {MAX_QUERY_STRING:,}."
        )
    for name, values in request.GET.lists():
        if "\x00" in name:
            return "A parameter's name holds a NUL character; leave it out."
        for value in values:
            if "\x00" in value:
                return f"The parameter '{name}' holds a NUL character; leave it out."
            if value == "":
                continue  # an empty field of a form: absent, as the views take it
            number = value.strip()
            if name in NUMBER_PARAMETERS and number.isdigit() and not _NUMBER.fullmatch(number):
                return (
                    f"The parameter '{name}' must be an id like 12 (digits 0-9, at most 18 of "
                    f"them), not {_quoted(value)}."
                )
    return None


def _quoted(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")


def _too_large_upload(request: HttpRequest) -> str | None:
    """An API upload (a story file) larger than one import may send, refused before its body
    is read, as the web's import page refuses it."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if size <= limit:
        return None
    return (
        f"The upload is {size / (1024 * 1024):,.0f} MB; a call takes at most "
        f"{settings.IMPORT_MAX_UPLOAD_MB:,} MB (IMPORT_MAX_UPLOAD_MB)."
    )


# Refusals of API calls are problem+json, as the API's own errors.
API_PREFIX = "/api/"


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        refusal = _refusal(request)
        if request.path.startswith(API_PREFIX):
            if refusal is not None:
                return plain_problem(400, refusal)  # what an API client reads its errors as
            too_large = _too_large_upload(request)
            if too_large is not None:
                return plain_problem(413, too_large)
        if refusal is not None:
            return HttpResponse(
                f"Bad request: {refusal}\n", status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        reason = cannot_save(exception)
        if reason is None:
            return None
        logger.warning("%s %s could not be saved: %s", request.method, request.path, reason)
        return cannot_save_page(request, reason)


def cannot_save_page(request: HttpRequest, reason: str) -> HttpResponse:
    """503: the archive cannot save right now, and why; reading still works."""
    context = {"reason": reason, "disk_full": reason == DISK_FULL}
    try:
        response = render(request, "server/cannot_save.html", context, status=503)
    except Exception:  # the page itself needs what failed (a session, a template): say it plainly
        logger.exception("the cannot-save page could not be made")
        response = HttpResponse(
            f"The archive cannot save right now: {reason}. Reading works; try saving later.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    # Seconds, for clients and proxies that retry: long enough for someone to free the disk.
    response["Retry-After"] = "300"
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's handler400. A request larger than the archive reads (a paste of many
    megabytes, thousands of fields) is answered 413 with the limits and a way back to the text,
    where Django would say only "Bad request"; any other refusal is the usual 400 page."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        context = {"megabytes": megabytes, "chapter_limit": body_limit_help()}
        return render(request, "server/too_big.html", context, status=413)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's handler500: a refused write raised outside a view (a session saved on the way
    out, a middleware) gets the 503 page; any other error the usual 500 page."""
    error = sys.exc_info()[1]
    reason = cannot_save(error) if error is not None else None
    if reason is not None:
        return cannot_save_page(request, reason)
    return defaults.server_error(request)
