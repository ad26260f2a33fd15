"""ficarchive.plain_sql: statements written out once, answered as rows or model instances."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ficarchive.plain_sql import ID_RANGE, instances, one, prefetched, rows, table
from ficarchive.works.models import Chapter, Work
from tests.cast import make_work

pytestmark = pytest.mark.django_db


def test_instances_convert_each_column_as_the_orm_does() -> None:
    work = make_work(chapters=2)

    (loaded,) = instances(Work, f"SELECT * FROM {table(Work)} WHERE id = %s", [work.pk])

    assert loaded == work
    assert loaded.published_at == work.published_at  # a datetime on SQLite too, not text
    assert loaded.restricted is False
    assert loaded.posted is True


def test_columns_left_out_are_loaded_when_read() -> None:
    work = make_work(chapters=1, body="The whole text.")
    statement = f"SELECT id, work_id, position FROM {table(Chapter)} WHERE work_id = %s"

    (chapter,) = instances(Chapter, statement, [work.pk])
    with CaptureQueriesContext(connection) as context:
        body = chapter.body

    assert "The whole text." in body
    assert len(context.captured_queries) == 1


def test_rows_and_one_answer_plain_values() -> None:
    work = make_work(title="Plain")
    statement = f"SELECT title FROM {table(Work)} WHERE id = %s"
    assert rows(statement, [work.pk]) == [("Plain",)]
    assert one(statement, [work.pk]) == ("Plain",)
    assert one(statement, [work.pk + 1]) is None


def test_prefetched_objects_are_read_without_a_query_in_their_order() -> None:
    work = make_work(chapters=3)
    chapters = list(Chapter.objects.filter(work=work).order_by("-position"))

    prefetched(work, "chapters", chapters)
    with CaptureQueriesContext(connection) as context:
        positions = [chapter.position for chapter in work.chapters.all()]
    later = work.chapters.filter(position__gte=2).order_by("position")

    assert positions == [3, 2, 1]
    assert context.captured_queries == []
    assert [chapter.position for chapter in later] == [2, 3]  # a filter still asks


def test_the_id_range_is_what_the_databases_take() -> None:
    assert 2**63 - 1 in ID_RANGE
    assert -(2**63) in ID_RANGE
    assert 2**63 not in ID_RANGE
