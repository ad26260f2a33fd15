from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ficarchive.works.models import Work


def page_context(request: HttpRequest, work: Work) -> dict[str, Any]:
    return {}
