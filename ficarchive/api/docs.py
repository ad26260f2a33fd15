"""The API's documentation page, `/api/v1/docs`: Swagger UI, whose script and style come from
the django-ninja package installed here, served by the archive itself (nothing is loaded from
elsewhere, and the Content-Security-Policy's `'self'` covers them).

Served by a view rather than as static files: collecting them (Swagger UI is 1.4 MB, and ninja
ships Redoc and source maps too) made every `ficarchive serve` start compress megabytes it
never uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

ASSETS = Path(ninja.__file__).resolve().parent / "static" / "ninja"
# The files the page uses, and their media types.
SERVED = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
# A year: the address changes with the installed django-ninja's version.
ASSET_SECONDS = 365 * 24 * 3600


class SwaggerPage(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            "persistAuthorization": False,
        }
        context = {
            "title": api.title,
            "swagger_settings": json.dumps(settings),
            "openapi_url": settings["url"],
            "version": ninja.__version__,
        }
        return render(request, "api/docs.html", context)


def asset_url(name: str) -> str:
    return reverse("api_docs_asset", args=[ninja.__version__, name])


@require_GET
def docs_asset(request: HttpRequest, version: str, name: str) -> FileResponse:
    if name not in SERVED or version != ninja.__version__:
        raise Http404("No such file.")
    response = FileResponse((ASSETS / name).open("rb"), content_type=SERVED[name])
    response["Cache-Control"] = f"public, max-age={ASSET_SECONDS}, immutable"
    return response
