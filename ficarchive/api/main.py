"""The API's root: `/api/v1/`, its OpenAPI description (`openapi.json`) and its documentation
page (`docs`, Swagger UI served by the archive itself), with ETags on reads."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ficarchive.api import bookmarks, checks, downloads, people, problems, writing
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

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return described(schema)


# OpenAPI links: where a client (or schemathesis' stateful phase) goes from an answer.
LINKS = {
    "listWorks": {
        "GetWork": ("getWork", {"work_id": "$response.body#/works/0/id"}),
    },
    "getWork": {
        "GetChapter": (
            "getChapter",
            {"work_id": "$response.body#/id", "chapter_id": "$response.body#/chapters/0/id"},
        ),
        "GetFandom": ("getTag", {"name": "$response.body#/fandoms/0"}),
        "Download": (
            "downloadWork",
            {"work_id": "$response.body#/id", "file_format": "$response.body#/downloads/0/format"},
        ),
    },
    "createWork": {
        "GetNewWork": ("getWork", {"work_id": "$response.body#/id"}),
        "AddChapter": ("addChapter", {"work_id": "$response.body#/id"}),
        "PostNewWork": ("postWork", {"work_id": "$response.body#/id"}),
    },
    "addChapter": {
        "UpdateChapter": (
            "updateChapter",
            {"work_id": "$response.body#/work_id", "chapter_id": "$response.body#/id"},
        ),
    },
    "importWork": {
        "GetImportedWork": ("getWork", {"work_id": "$response.body#/work/id"}),
    },
}


def described(schema: dict[str, Any]) -> dict[str, Any]:
    """The generated description, with errors as `application/problem+json` (as they are
    sent) and the links between operations."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            answers = operation.get("responses", {})
            for status, answer in answers.items():
                content = answer.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
            # gunicorn reads request lines of up to 4,094 bytes; a longer address is refused
            # before the archive sees it, with its own short HTML page.
            answers.setdefault(
                414,
                {
                    "description": "The address is longer than the server reads (4,094 bytes).",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
            if operation.get("operationId") == "downloadWork":
                answers["200"] = downloads.described_file()
            links = LINKS.get(operation.get("operationId", ""), {})
            ok = next((key for key in answers if str(key) in ("200", "201", "202")), None)
            if links and ok is not None:
                answers[ok]["links"] = {
                    name: {"operationId": target, "parameters": parameters}
                    for name, (target, parameters) in links.items()
                }
    return schema


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
api.add_router("/", writing.router)  # the works router, its writing operations added
api.add_router("/", people.router)
api.add_router("/", downloads.router)
api.add_router("/", checks.router)
api.add_router("/", bookmarks.router)
