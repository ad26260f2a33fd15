"""The community's parts of pages that `works` renders: works imports no community module, its
templates ask for these."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token

from ficarchive.community import reader_parts
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
    request = context["request"]
    context.dicts[-1].update(work_page_context(request, work, chapter))
    # For the page cache: what a filled-in copy of this page must still ask and count.
    request.META[reader_parts.READING_PAGE] = (work.is_adult, chapter.pk if chapter else None)
    return ""


class ReaderPartNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        # A node's output goes into the page as it is (only variables are escaped): the part is
        # what its template made, with the markers around it while a page is made to share.
        content = self.nodelist.render(context)
        request = context.get("request")
        if request is not None and request.META.get(reader_parts.MAKING_SHARED_PAGE):
            return reader_parts.marked(self.name, content)
        return content


@register.tag("reader_part")
def reader_part(parser: Parser, token: Token) -> ReaderPartNode:
    """`{% reader_part "name" %}…{% endreader_part %}`: a signed-in reader's own part of a
    reading page (`community.reader_parts.PARTS` names its template), marked while the page
    cache makes the page to share."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][:1] not in "\"'" or bits[1][1:-1] not in reader_parts.PARTS:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes one quoted part name: {', '.join(reader_parts.PARTS)}"
        )
    nodelist = parser.parse(("endreader_part",))
    parser.delete_first_token()
    return ReaderPartNode(bits[1][1:-1], nodelist)


@register.simple_tag
def series_subscription(user: Any, series: Series) -> Subscription | None:
    """The reader's subscription to a series, for its Subscribe / Unsubscribe button."""
    return subscription_of(user, series=series)
