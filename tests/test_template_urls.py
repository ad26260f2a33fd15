"""`{% url %}` reverses each address once per process (ficarchive/template_urls.py) and gives
what Django's own tag gives, whatever the arguments and the script prefix."""

from __future__ import annotations

import pytest
from django.template import engines
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from ficarchive import template_urls


def _render(source: str, **context: object) -> str:
    return str(engines["django"].from_string(source).render(context))


def test_addresses_are_what_reverse_gives() -> None:
    assert _render("{% url 'works:new' %}") == reverse("works:new")
    assert _render("{% url 'accounts:user' name %}", name="ash") == reverse(
        "accounts:user", args=["ash"]
    )
    assert _render("{% url 'works:work' 7 %}") == reverse("works:work", args=[7])
    assert _render("{% url 'works:work' work_id=7 %}") == reverse("works:work", args=[7])


def test_an_address_is_reversed_once_for_the_same_arguments() -> None:
    template_urls._reversed.cache_clear()
    for _ in range(3):
        _render("{% url 'accounts:user' name %}", name="birch")
    info = template_urls._reversed.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_names_are_escaped_as_django_escapes_them() -> None:
    page = _render("{% url 'accounts:user' name %}", name="a&b")
    assert "&amp;" in page or "%26" in page
    assert page == _render(
        "{% autoescape on %}{% url 'accounts:user' name %}{% endautoescape %}", name="a&b"
    )


def test_as_a_variable_and_a_missing_name_behave_as_django_s() -> None:
    assert _render("{% url 'nowhere' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'nowhere' %}")


def test_a_script_prefix_keeps_addresses_of_its_own() -> None:
    plain = _render("{% url 'works:new' %}")
    set_script_prefix("/fics/")
    try:
        prefixed = _render("{% url 'works:new' %}")
    finally:
        clear_script_prefix()
        set_script_prefix("/")
    assert prefixed == "/fics" + plain
    assert _render("{% url 'works:new' %}") == plain
