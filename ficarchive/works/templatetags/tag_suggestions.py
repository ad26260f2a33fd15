"""`{% suggested_tags work %}`: the tags a draft's text suggests, as a form of checkboxes.

A template tag rather than view context, so that every page showing a draft to its creators
(the work page, the preview) offers them without each view computing them.
"""

from __future__ import annotations

from typing import Any

from django import template

from ficarchive.works.models import Work
from ficarchive.works.queries import suggestions_for

register = template.Library()


@register.inclusion_tag("works/suggestions.html", takes_context=True)
def suggested_tags(context: template.Context, work: Work) -> dict[str, Any]:
    return {
        "work": work,
        "suggestions": suggestions_for(work),
        "csrf_token": context.get("csrf_token"),
    }
