"""Site skins: any reader chooses one, it shows on the next page and stays (a cookie when logged
out, the account when logged in); choices that are not skins are refused by name."""

from __future__ import annotations

import pytest
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.accounts.skins import COOKIE, Skin
from tests.cast import make_user

pytestmark = pytest.mark.django_db

DARK_AND_LARGE = {"skin": "dark", "scheme": "system", "size": "130", "width": "wide"}
HTML_DARK_AND_LARGE = (
    '<html lang="en" data-skin="dark" data-scheme="system" data-size="130" data-width="wide">'
)
HTML_DEFAULT = (
    '<html lang="en" data-skin="default" data-scheme="system" data-size="100" data-width="medium">'
)


def test_a_logged_out_reader_keeps_their_skin_in_a_cookie_and_sees_it_on_the_next_page() -> None:
    reader = Client()
    response = reader.post("/skins", {**DARK_AND_LARGE, "next": "/works"})
    assert response.status_code == 302
    assert response["Location"] == "/works"
    assert response.cookies[COOKIE].value == "dark.system.130.wide"
    assert response.cookies[COOKIE]["max-age"] == 365 * 24 * 3600
    page = reader.get("/works").content.decode()
    assert HTML_DARK_AND_LARGE in page
    assert '<meta name="color-scheme" content="dark">' in page
    assert "Your site skin is now: Dark, Follow my device, Large (130%), Wide" in page
    assert HTML_DARK_AND_LARGE in reader.get("/search").content.decode()


def test_going_back_to_the_default_skin_drops_the_cookie() -> None:
    reader = Client()
    reader.post("/skins", DARK_AND_LARGE)
    defaults = {"skin": "default", "scheme": "system", "size": "100", "width": "medium"}
    response = reader.post("/skins", defaults)
    assert response.cookies[COOKIE].value == ""  # deleted
    page = reader.get("/works").content.decode()
    assert HTML_DEFAULT in page
    assert '<meta name="color-scheme" content="light dark">' in page


def test_a_logged_in_reader_keeps_their_skin_in_their_account_on_every_device() -> None:
    reader = make_user("reader")
    laptop = Client()
    laptop.force_login(reader)
    response = laptop.post("/skins", {**DARK_AND_LARGE, "next": "/account/preferences"})
    assert response["Location"] == "/account/preferences"
    assert COOKIE not in response.cookies
    reader.refresh_from_db()
    assert (reader.skin, reader.color_scheme, reader.text_size, reader.line_width) == (
        "dark",
        "system",
        "130",
        "wide",
    )
    phone = Client()
    phone.force_login(reader)
    assert HTML_DARK_AND_LARGE in phone.get("/works").content.decode()
    # The preferences page shows the skin chosen, in the same form.
    preferences = phone.get("/account/preferences").content.decode()
    assert '<option value="130" selected>Large (130%)</option>' in preferences


def test_a_logged_in_reader_sees_their_account_skin_not_a_cookie_left_from_before() -> None:
    reader = make_user("reader")
    client = Client()
    client.post("/skins", {**DARK_AND_LARGE, "skin": "contrast"})  # logged out
    client.force_login(reader)
    assert HTML_DEFAULT in client.get("/works").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "skin",
            "purple",
            "Site skin: “purple” is not a site skin here; choose one of Default, Dark, "
            "High contrast, Low vision (large text).",
        ),
        ("scheme", "sepia", "Light or dark: “sepia” is not a colour scheme here;"),
        ("size", "400", "Text size: “400” is not a text size here;"),
        ("width", "", "Line width: Choose one of Narrow"),
    ],
)
def test_a_choice_that_is_not_a_skin_is_refused_by_name(
    field: str, value: str, message: str
) -> None:
    reader = make_user("reader")
    client = Client()
    client.force_login(reader)
    response = client.post("/skins", {**DARK_AND_LARGE, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert COOKIE not in response.cookies
    reader.refresh_from_db()
    assert reader.skin == "default"
    assert User.objects.get(pk=reader.pk).text_size == "100"


def test_a_refused_choice_sets_no_cookie_for_a_logged_out_reader() -> None:
    response = Client().post("/skins", {**DARK_AND_LARGE, "size": "9000"})
    assert response.status_code == 400
    assert COOKIE not in response.cookies


def test_the_way_back_must_be_a_page_of_this_archive() -> None:
    response = Client().post("/skins", {**DARK_AND_LARGE, "next": "https://example.com/"})
    assert response["Location"] == "/skins"


def test_a_cookie_that_names_no_skin_shows_the_default_for_its_bad_parts() -> None:
    assert Skin.from_cookie("dark.plaid.130") == Skin(skin="dark", size="130")
    assert Skin.from_cookie("<script>") == Skin()
    reader = Client()
    reader.cookies[COOKIE] = '"><script>.x'
    assert HTML_DEFAULT in reader.get("/works").content.decode()


def test_every_page_links_to_the_skin_page_and_has_a_search_box() -> None:
    page = Client().get("/works?page=1").content.decode()
    assert 'href="/skins?next=/works%3Fpage%3D1"' in page
    assert '<form class="search" role="search" method="get" action="/search">' in page
    assert '<label for="site-search" class="landmark">Search works</label>' in page
    assert 'name="q"' in page
