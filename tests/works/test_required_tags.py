from __future__ import annotations

import pytest

from ficarchive.works.templatetags.works_tags import required_tags
from tests.cast import make_work

pytestmark = pytest.mark.django_db


def test_the_square_shows_rating_warnings_category_and_status() -> None:
    work = make_work(
        rating="Explicit",
        warnings=["Major Character Death"],
        categories=["F/M", "M/M"],
        expected_chapters=1,
    )
    symbols = {symbol["kind"]: symbol for symbol in required_tags(work)}
    assert symbols["Rating"]["code"] == "E"
    assert symbols["Archive Warnings"]["css"] == "warning-yes"
    assert symbols["Archive Warnings"]["text"] == "Major Character Death"
    assert symbols["Category"]["css"] == "category-multi"
    assert symbols["Status"]["text"] == "Complete Work"


def test_no_warnings_and_one_category() -> None:
    work = make_work(warnings=["No Archive Warnings Apply"], categories=["Gen"])
    symbols = {symbol["kind"]: symbol for symbol in required_tags(work)}
    assert symbols["Archive Warnings"]["css"] == "warning-no"
    assert (symbols["Category"]["code"], symbols["Category"]["css"]) == ("G", "category-gen")
    assert symbols["Status"]["text"] == "Work in Progress"
