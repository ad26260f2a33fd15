"""`SanitizedHTMLField`: a text column that holds only sanitized HTML, however it is written.

Forms and importers sanitize what they store, but not every write goes through them: the admin
saves its own ModelForms, a shell or a script calls `.save()`, `QuerySet.update()`,
`bulk_create()` or `bulk_update()`. So the field sanitizes in the model layer, where all of
those meet:

- `pre_save` (`save()`, `create()`, `bulk_create()`) sanitizes the value and puts the clean HTML
  back on the instance, so the object in memory shows what the row holds;
- `get_db_prep_save` (every INSERT and UPDATE, `QuerySet.update()` included) sanitizes any plain
  string it is given, and looks inside SQL expressions: a `Value` is sanitized, a column that is
  itself sanitized HTML under an allow-list no wider than this field's may be copied, a `Case`
  (what `bulk_update()` writes, in a `Cast` on PostgreSQL) is checked branch by branch; anything
  else (`Concat`, `Replace`, a subquery, a column under a wider allow-list) could assemble
  markup in the database where no sanitizer sees it, and is refused with an error naming the
  field.

Raw SQL (`cursor.execute`) is the one way around it; ficarchive writes these columns with none.
Sanitizing is idempotent, so HTML that went through a form already costs one cleaner pass more.

Each field names its allow-list (`ficarchive.texts.sanitize`): the default, `sanitize_html`, is
chapter text's; notes pass `sanitize_notes_html`, summaries, comments and descriptions
`sanitize_basic_html`. Which one is a matter of Python only: changing it alters no column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Case, Col, Value, When
from django.db.models.functions import Cast

from ficarchive.texts.sanitize import allows_no_more, sanitize_html

if TYPE_CHECKING:  # generic in django-stubs only
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField

Sanitizer = Callable[[str], str]


class _Sanitized(str):
    """A value `pre_save` has just sanitized, so `get_db_prep_save` need not do it again."""


class SanitizedHTMLField(_TextField):
    description = "HTML, sanitized against the archive's allow-list whenever it is written"
    # The sanitizer changes what is written, not the column: migrations that only change it
    # alter no table (SQLite would otherwise rebuild it).
    non_db_attrs = (*models.TextField.non_db_attrs, "sanitizer")

    def __init__(self, *args: Any, sanitizer: Sanitizer = sanitize_html, **kwargs: Any) -> None:
        # Which allow-list applies: chapter text's by default; a field that allows less (notes
        # without media embeds, comments without classes either) passes its own function.
        self.sanitizer = sanitizer
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.sanitizer is not sanitize_html:
            kwargs["sanitizer"] = self.sanitizer
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, _Sanitized) or not isinstance(value, str):
            return value  # None, or an SQL expression: get_db_prep_save looks at it
        clean = self.sanitizer(value)
        setattr(model_instance, self.attname, clean)
        return _Sanitized(clean)

    def get_db_prep_save(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        if isinstance(value, _Sanitized):
            return str(value)
        if isinstance(value, str):
            return self.sanitizer(value)
        if hasattr(value, "resolve_expression"):
            # Compilers hand over expressions already resolved, which are copies made for this
            # query: sanitizing a Value's string in place changes nothing the caller holds.
            self._sanitize_expression(value)
        return super().get_db_prep_save(value, connection)

    def _sanitize_expression(self, expression: Any) -> None:
        if isinstance(expression, Value):
            if isinstance(expression.value, str):
                expression.value = self.sanitizer(expression.value)
            elif expression.value is not None:
                self._refuse(expression)
            return
        if (
            isinstance(expression, Col)
            and isinstance(expression.target, SanitizedHTMLField)
            and allows_no_more(expression.target.sanitizer, self.sanitizer)
        ):
            return  # copying HTML that was sanitized, no more loosely, when it was stored
        branches: Iterable[Any]
        if isinstance(expression, Cast):
            branches = expression.get_source_expressions()  # PostgreSQL's bulk_update casts
        elif isinstance(expression, Case):
            branches = [*expression.cases, expression.default]
        elif isinstance(expression, When):
            branches = [expression.result]  # its condition picks rows, it writes nothing
        else:
            self._refuse(expression)
        for branch in branches:
            self._sanitize_expression(branch)

    def _refuse(self, expression: Any) -> NoReturn:
        owner = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else self.name
        raise TypeError(
            f"{owner} holds sanitized HTML, and {expression!r} would build its value in the "
            "database, where it cannot be sanitized. Compute the new value in Python and write "
            "the string (or a Value) instead."
        )


def sanitize_stored(model: type[models.Model], field_names: Iterable[str]) -> list[Any]:
    """Sanitize what rows of `model` already hold in these fields, each with its field's own
    sanitizer; the primary keys of the rows that changed. For data migrations, which pass their
    historical model."""
    names = list(field_names)
    sanitizers = {name: _sanitizer_of(model, name) for name in names}
    changed: list[Any] = []
    rows = model._default_manager.order_by("pk").values_list("pk", *names)
    for pk, *values in rows.iterator(chunk_size=200):
        clean = {}
        for name, value in zip(names, values, strict=True):
            if value and (sanitized := sanitizers[name](value)) != value:
                clean[name] = sanitized
        if clean:
            model._default_manager.filter(pk=pk).update(**clean)
            changed.append(pk)
    return changed


def _sanitizer_of(model: type[models.Model], name: str) -> Sanitizer:
    field = model._meta.get_field(name)
    return field.sanitizer if isinstance(field, SanitizedHTMLField) else sanitize_html
