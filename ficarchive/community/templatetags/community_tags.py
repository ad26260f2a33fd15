"""The community's parts of pages that `works` renders: works imports no community module, its
templates ask for these."""

from __future__ import annotations

from typing import Any

from django import template

from ficarchive.community.context import work_page_context
from ficarchive.community.models import Subscription
from ficarchive.community.subscriptions import subscription_of
from ficarchive.works.models import Chapter, Series, Work

register = template.Library()


@register.simple_tag(takes_context=True)
def reading_page_community(context: Any, work: Work, chapter: Chapter | None) -> str:
    """Put the reading page's kudos, comments, bookmark, subscription and history names into
    the block's context (`chapter` is the one whose comments show; None for the whole work)."""
    # Into the innermost layer (the block's), so the names last to the end of the block and the
    # context's stack of layers is left as it was.
    context.dicts[-1].update(work_page_context(context["request"], work, chapter))
    return ""


@register.simple_tag
def series_subscription(user: Any, series: Series) -> Subscription | None:
    """The reader's subscription to a series, for its Subscribe / Unsubscribe button."""
    return subscription_of(user, series=series)
