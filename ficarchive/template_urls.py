"""`{% url %}` as Django's, but each address is reversed once per process.

Reversing a URL name takes Django about 25 µs, and a reading page names dozens: the header's
links alone were a third of the time a signed-in reader's page takes from the page cache. The
same name with the same arguments, under the same URL configuration, script prefix and app
gives the same address, so this tag keeps them (a bounded number). A builtin of the template
engine (settings.TEMPLATES), loaded after Django's own tags, so every `{% url %}` is this one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


def _plain(value: object) -> bool:
    """Text and whole numbers reverse to the same address whenever they are equal."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


@lru_cache(maxsize=8192)
def _reversed(
    urlconf: Any,
    prefix: str,
    current_app: str | None,
    view_name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
) -> str:
    # `reverse` reads the URL configuration and the prefix of this thread: the same as the key.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


class KeptURLNode(URLNode):
    def render(self, context: template.Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((key, value.resolve(context)) for key, value in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        plain = all(map(_plain, args)) and all(_plain(value) for _, value in kwargs)
        if self.asvar or not plain or not isinstance(view_name, str):
            return str(super().render(context))
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        address = _reversed(
            get_urlconf(), get_script_prefix(), current_app, view_name, args, kwargs
        )
        return str(conditional_escape(address)) if context.autoescape else address


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
