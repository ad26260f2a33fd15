"""Plain SQL for the statements every reading page runs, where building a query costs more than
running it.

The ORM builds and compiles a query afresh each time it is asked (filters, joins, ordering),
which for the one-row reads of a page takes it several times longer than SQLite takes to answer
them. The hot reads of the reading pages are written out here once, in SQL both engines read,
and still come back as model instances (`instances`, through Django's raw queries, which convert
each column as the ORM would). Everything else keeps the ORM.

Below the apps (like `storage`): Django and the standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

# The databases take integers of 64 bits as parameters; an address may carry a longer one.
ID_RANGE = range(-(2**63), 2**63)


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted for the database in use."""
    return str(connection.ops.quote_name(model._meta.db_table))


def rows(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def one(statement: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
        return tuple(row) if row is not None else None


def instances(model: type[M], statement: str, params: Sequence[Any] = ()) -> list[M]:
    """The model's instances from a statement that selects its columns (`SELECT t.* …`); the
    columns left out are loaded when first read, as with `QuerySet.only`."""
    return list(model._default_manager.raw(statement, params))


def prefetched(instance: models.Model, name: str, related: Sequence[models.Model]) -> None:
    """Give `instance` its related objects `name` (a reverse foreign key or many-to-many
    manager) as `prefetch_related` would: `instance.<name>.all()` then reads them, in this
    order, without a query, and a filter on them queries as it would after a prefetch."""
    found = getattr(instance, name).get_queryset()
    found._result_cache = list(related)
    found._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = found
