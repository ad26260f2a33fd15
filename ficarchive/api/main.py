"""The API's root: `/api/v1/`, its OpenAPI description (`openapi.json`) and its documentation
page (`docs`, Swagger UI served by the archive itself), with ETags on reads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ficarchive.api import problems, works
from ficarchive.api.auth import CALLERS, CallLimit
from ficarchive.api.docs import SwaggerPage
from ficarchive.api.kept import with_etag

DESCRIPTION = """Read and write the archive from scripts and apps, with the web's own rules.

Calls without a token see what a logged-out reader sees. A personal access token (Preferences →
API tokens, or `ficarchive token create`) sent as `Authorization: Bearer fa_…` acts as its user:
a read token sees restricted works, the user's drafts and private bookmarks; a write token may
also change things. A browser logged in to the archive may call it too, with its CSRF token on
writes. Errors are `application/problem+json` (RFC 9457); lists page with `next`; reads carry
an `ETag` and answer `304` to `If-None-Match`."""


class ArchiveAPI(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        return with_etag(request, response)


api = ArchiveAPI(
    title="ficarchive API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=SwaggerPage(),
    auth=CALLERS,
    throttle=[CallLimit()],
)
problems.install(api)
api.add_router("/", works.router)
