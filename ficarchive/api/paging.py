"""Cursor pagination: each page of a list says where the next one starts (`next`), by the last
item's place in the list's order, not by a count of items before it. A work posted or updated
while a client pages through does not make it see a work twice or miss one.

A cursor is the sort, the last item's sort value and its id, as URL-safe base64 of JSON. Two
sorts have no single column to continue from — "best" (the search's score) and "creator" (a
pseud name through a join) — and page by position instead (their cursor holds the offset).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Field, Model, Q, QuerySet
from django.http import HttpRequest

from ficarchive.api.problems import Problem
from ficarchive.search.services import ORDERS

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
BY_POSITION = ("best", "creator")
COUNTS = range(2**63)  # what a 64-bit column holds of ids, counts and positions


def encode(value: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, default=str).encode()).decode().rstrip("=")


def decode(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Problem(400, "The cursor is not one this archive gave.", "cursor") from None
    if not isinstance(value, list) or len(value) != 3:
        raise Problem(400, "The cursor is not one this archive gave.", "cursor")
    return value


def _value(model: type[Model], field: str, raw: Any) -> Any:
    """A cursor's sort value as the column takes it."""
    column = model._meta.get_field(field)
    kind = column.get_internal_type() if isinstance(column, Field) else ""
    try:
        if kind == "DateTimeField":
            return datetime.fromisoformat(str(raw))
        if kind in ("CharField", "TextField"):
            return str(raw)
        number = int(raw)
        if number not in COUNTS:
            raise ValueError(number)
        return number
    except (TypeError, ValueError):
        raise Problem(400, "The cursor is not one this archive gave.", "cursor") from None


def page(
    items: QuerySet[M], sort: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of works (`items`, ordered as the search's `sort` orders them) after `cursor`,
    and the next page's cursor (None on the last page)."""
    if sort in BY_POSITION:
        return page_by_position(items, sort, cursor, limit)
    return page_by(items, sort, ORDERS[sort][0], cursor, limit)


def page_by(
    items: QuerySet[M], kind: str, column: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `items`, ordered by `column` (`-` first for descending) and then by id the
    same way, after `cursor`; `kind` names the order, so a cursor of another list's order is
    refused. The next page's cursor, or None on the last page."""
    _check_limit(limit)
    field = column.lstrip("-")
    descending = column.startswith("-")
    items = items.order_by(column, "-pk" if descending else "pk")
    if cursor:
        items = items.filter(_after(items.model, field, descending, _read(cursor, kind)))
    found = list(items[: limit + 1])
    more, found = len(found) > limit, found[:limit]
    if not more or not found:
        return found, None
    last = found[-1]
    return found, encode([kind, getattr(last, field), last.pk])


def page_by_position(
    items: QuerySet[M], kind: str, cursor: str | None, limit: int
) -> tuple[list[M], str | None]:
    """One page of `items` in their own order, by position (the cursor holds the offset)."""
    _check_limit(limit)
    start = _whole(_read(cursor, kind)[0]) if cursor else 0
    found = list(items[start : start + limit + 1])
    more, found = len(found) > limit, found[:limit]
    if not more or not found:
        return found, None
    return found, encode([kind, start + limit, 0])


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Problem(400, f"limit is {limit}; use 1 to {MAX_LIMIT}.", "limit")


def _read(cursor: str, kind: str) -> tuple[Any, Any]:
    """A cursor's value and id, if it is one of `kind`'s."""
    found, value, last_id = decode(cursor)
    if found != kind:
        raise Problem(400, f"The cursor is for the sort {found!r}, not {kind!r}.", "cursor")
    return value, last_id


def _whole(value: Any) -> int:
    if not isinstance(value, int) or value not in COUNTS:
        raise Problem(400, "The cursor is not one this archive gave.", "cursor")
    return value


def _after(model: type[Model], field: str, descending: bool, where: tuple[Any, Any]) -> Q:
    value, pk = _value(model, field, where[0]), _whole(where[1])
    if descending:
        return Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk})
    return Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})


def next_link(request: HttpRequest, cursor: str | None) -> str | None:
    """The address of the next page: this request's, with its cursor."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
