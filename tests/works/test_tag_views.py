"""The posting form's tag pages (`works.tag_views`).

Tag suggestions on a draft: offered to its creators with reasons, added only when ticked.
Autocomplete offers canonical tags first, prefix matches before infix ones, 15 at most; and
only tags the reader may know: canonical ones, and others used on a work they may see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ficarchive.accounts.models import User
from ficarchive.tags.models import FilterTagging, Tag, TagType
from ficarchive.texts.formats import parse_file
from ficarchive.works.models import Work
from ficarchive.works.queries import suggestions_for
from tests.cast import make_user, make_work
from tests.tags.wrangled import canonical, synonym

pytestmark = pytest.mark.django_db

FOUNDING_STORY = Path(__file__).parent.parent / "fixtures" / "everything-back-but-you.txt"
CHARACTERS = {
    "Rory Gilmore": "Rory",
    "Jess Mariano": "Jess",
    "Dean Forester": "Dean",
    "Luke Danes": "Luke",
    "Lorelai Gilmore": "Lorelai",
    "Lindsay Lister": None,
}
_CHECKBOX = re.compile(r'<input type="checkbox" name="(\w+)" value="([^"]+)">')


def wrangle_the_fandom() -> Tag:
    """Gilmore Girls with its canonical characters and their first names as synonyms."""
    fandom = canonical("Gilmore Girls", TagType.FANDOM, Tag.objects.get(name="TV Shows"))
    for name, first_name in CHARACTERS.items():
        character = canonical(name, TagType.CHARACTER, fandom)
        if first_name:
            synonym(first_name, character)
    return fandom


def founding_draft(
    author: User, fandoms: tuple[str, ...] = ("Gilmore Girls",), characters: tuple[str, ...] = ()
) -> Work:
    (chapter,) = parse_file(FOUNDING_STORY).chapters
    return make_work(
        author,
        posted=False,
        body=chapter.html,
        text_format="html",
        fandoms=list(fandoms),
        characters=list(characters),
    )


def offered(page: str) -> set[tuple[str, str]]:
    """The (type, name) of every suggestion checkbox on a page."""
    return {(kind, name.replace("&#x27;", "'")) for kind, name in _CHECKBOX.findall(page)}


def tags_of(work: Work, tag_type: str) -> set[str]:
    return set(work.tags.filter(type=tag_type).values_list("name", flat=True))


@pytest.fixture
def author() -> User:
    return make_user("author")


@pytest.fixture
def draft(author: User) -> Work:
    wrangle_the_fandom()
    return founding_draft(author)


def test_the_draft_page_offers_the_founding_storys_characters_and_couple(
    client: Client, author: User, draft: Work
) -> None:
    client.force_login(author)
    page = client.get(f"/works/{draft.pk}").content.decode()

    assert "Suggested tags" in page
    found = offered(page)
    for name in ("Rory Gilmore", "Jess Mariano", "Dean Forester", "Luke Danes"):
        assert ("character", name) in found
    assert ("relationship", "Rory Gilmore/Jess Mariano") in found
    assert ("character", "Lorelai Gilmore") not in found  # only ever "her Mom"
    assert re.search(
        r"Rory Gilmore</label> <span class=\"reason\">\(character: mentioned \d+", page
    )
    assert "together in " in page


def test_nothing_is_added_until_the_form_is_posted(
    client: Client, author: User, draft: Work
) -> None:
    client.force_login(author)
    client.get(f"/works/{draft.pk}")
    client.get(f"/works/{draft.pk}/preview")

    assert tags_of(draft, TagType.CHARACTER) == set()
    assert tags_of(draft, TagType.RELATIONSHIP) == set()


def test_posting_the_ticked_suggestions_adds_exactly_those(
    client: Client, author: User, draft: Work
) -> None:
    client.force_login(author)
    revision = draft.revision
    response = client.post(
        f"/works/{draft.pk}/tags/suggested",
        {
            "character": ["Rory Gilmore", "Jess Mariano"],
            "relationship": "Rory Gilmore/Jess Mariano",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert tags_of(draft, TagType.CHARACTER) == {"Rory Gilmore", "Jess Mariano"}
    assert tags_of(draft, TagType.RELATIONSHIP) == {"Rory Gilmore/Jess Mariano"}
    draft.refresh_from_db()
    assert draft.revision > revision  # its blurb, downloads and search index follow
    # Refiltered: the work is found under the tags it was given.
    under = set(FilterTagging.objects.filter(work=draft).values_list("filter_tag__name", flat=True))
    assert {"Rory Gilmore", "Jess Mariano", "Rory Gilmore/Jess Mariano"} <= under
    # The new relationship knows its characters, and what was added is no longer offered.
    couple = Tag.objects.get(name="Rory Gilmore/Jess Mariano")
    assert set(couple.characters.values_list("name", flat=True)) == {"Rory Gilmore", "Jess Mariano"}
    left = offered(client.get(f"/works/{draft.pk}").content.decode())
    assert ("character", "Dean Forester") in left
    assert ("character", "Rory Gilmore") not in left
    assert ("relationship", "Rory Gilmore/Jess Mariano") not in left


def test_posting_nothing_ticked_adds_nothing(client: Client, author: User, draft: Work) -> None:
    client.force_login(author)
    response = client.post(f"/works/{draft.pk}/tags/suggested", {})

    assert response.status_code == 302
    assert tags_of(draft, TagType.CHARACTER) == set()


def test_strangers_get_404_and_add_nothing(client: Client, draft: Work) -> None:
    client.force_login(make_user("stranger"))
    response = client.post(f"/works/{draft.pk}/tags/suggested", {"character": "Rory Gilmore"})

    assert response.status_code == 404
    assert tags_of(draft, TagType.CHARACTER) == set()


def test_strangers_get_404_on_a_posted_work_too(client: Client, author: User) -> None:
    wrangle_the_fandom()
    work = make_work(author, fandoms=["Gilmore Girls"])
    client.force_login(make_user("stranger"))

    response = client.post(f"/works/{work.pk}/tags/suggested", {"character": "Rory Gilmore"})

    assert response.status_code == 404
    assert tags_of(work, TagType.CHARACTER) == set()


def test_logged_out_readers_are_sent_to_log_in(client: Client, draft: Work) -> None:
    response = client.post(f"/works/{draft.pk}/tags/suggested", {"character": "Rory Gilmore"})

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert tags_of(draft, TagType.CHARACTER) == set()


def test_the_form_needs_a_csrf_token(author: User, draft: Work) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)

    response = client.post(f"/works/{draft.pk}/tags/suggested", {"character": "Rory Gilmore"})

    assert response.status_code == 403
    assert tags_of(draft, TagType.CHARACTER) == set()


def test_the_draft_form_carries_a_csrf_token(client: Client, author: User, draft: Work) -> None:
    client.force_login(author)
    page = client.get(f"/works/{draft.pk}").content.decode()

    form = page[page.index('class="suggested tags"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_readers_of_a_posted_work_see_no_suggestions(client: Client, author: User) -> None:
    wrangle_the_fandom()
    (chapter,) = parse_file(FOUNDING_STORY).chapters
    work = make_work(author, fandoms=["Gilmore Girls"], body=chapter.html, text_format="html")
    client.force_login(make_user("reader"))

    assert "Suggested tags" not in client.get(f"/works/{work.pk}").content.decode()


def test_a_tag_the_work_has_through_a_synonym_is_not_suggested(author: User) -> None:
    wrangle_the_fandom()
    work = founding_draft(author, characters=("Rory",))

    names = {suggestion.name for suggestion in suggestions_for(work)}

    assert "Rory Gilmore" not in names
    assert "Jess Mariano" in names


def test_a_fandom_synonym_finds_the_fandoms_characters(author: User) -> None:
    synonym("GG", wrangle_the_fandom())
    work = founding_draft(author, fandoms=("GG",))

    names = {suggestion.name for suggestion in suggestions_for(work)}

    assert {"Rory Gilmore", "Jess Mariano", "Rory Gilmore/Jess Mariano"} <= names


def test_an_existing_relationship_tag_is_suggested_by_its_name(author: User) -> None:
    fandom = wrangle_the_fandom()
    literati = canonical("Jess Mariano/Rory Gilmore", TagType.RELATIONSHIP, fandom)
    literati.characters.set(Tag.objects.filter(name__in=["Rory Gilmore", "Jess Mariano"]))
    work = founding_draft(author)

    found = {s.name: s for s in suggestions_for(work) if s.type == "relationship"}

    assert "Rory Gilmore/Jess Mariano" not in found
    assert found["Jess Mariano/Rory Gilmore"].new is False


def test_a_work_without_a_wrangled_fandom_gets_no_suggestions(author: User) -> None:
    wrangle_the_fandom()
    work = founding_draft(author, fandoms=("Stars Hollow Gazette",))

    assert suggestions_for(work) == []


def _queries(work: Work) -> int:
    with CaptureQueriesContext(connection) as captured:
        suggestions_for(work)
    return len(captured.captured_queries)


def test_suggestions_take_the_same_queries_however_many_tags(author: User) -> None:
    fandom = wrangle_the_fandom()
    couple = canonical("Dean Forester/Rory Gilmore", TagType.RELATIONSHIP, fandom)
    couple.characters.set(Tag.objects.filter(name__in=["Rory Gilmore", "Dean Forester"]))
    work = founding_draft(author)
    few = _queries(work)

    for number in range(30):
        character = canonical(f"Townie Number{number}", TagType.CHARACTER, fandom)
        synonym(f"Townie{number}", character)
        couple = canonical(f"Townie Number{number}/Rory Gilmore", TagType.RELATIONSHIP, fandom)
        couple.characters.set([character, Tag.objects.get(name="Rory Gilmore")])

    assert _queries(work) == few


# Autocomplete


def _names(client: Client, query: str) -> list[str]:
    response = client.get(f"/tags/autocomplete?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    names: list[str] = response.json()
    return names


def test_canonical_tags_come_first_then_prefix_matches(client: Client) -> None:
    for name, is_canonical in [
        ("Rory", False),
        ("Rory Gilmore", True),
        ("Leigh Rory", True),
        ("Rorya", False),
        ("Aurora", False),
    ]:
        Tag.objects.create(name=name, type=TagType.CHARACTER, canonical=is_canonical)
    # The unwrangled ones are offered because a posted work carries them.
    make_work(characters=["Rory", "Rorya", "Aurora"], relationships=["Rory Gilmore/Jess Mariano"])
    assert _names(client, "type=character&term=ror") == [
        "Rory Gilmore",
        "Leigh Rory",
        "Rory",
        "Rorya",
        "Aurora",
    ]


def test_it_returns_at_most_fifteen_names(client: Client) -> None:
    make_work(freeforms=[f"Fluff {number:02}" for number in range(20)])
    assert len(_names(client, "type=freeform&term=fluff")) == 15


def test_an_empty_term_matches_nothing_and_an_unknown_type_is_refused(client: Client) -> None:
    assert _names(client, "type=character&term=") == []
    assert client.get("/tags/autocomplete?type=nonsense&term=a").status_code == 400


def test_it_never_offers_a_tag_used_only_on_someone_elses_draft(client: Client) -> None:
    writer = make_user("writer")
    make_work(writer, title="Secret", posted=False, fandoms=["Hidden Fandom"], freeforms=["Hush"])
    for user in (None, make_user("reader")):
        if user is not None:
            client.force_login(user)
        assert _names(client, "type=fandom&term=hidden") == []
        assert _names(client, "term=hush") == []
    client.force_login(writer)  # the draft's own writer sees its tags
    assert _names(client, "type=fandom&term=hidden") == ["Hidden Fandom"]


def test_a_tag_of_a_restricted_work_is_offered_to_logged_in_readers_only(client: Client) -> None:
    make_work(title="Members", restricted=True, freeforms=["Members Only Trope"])
    assert _names(client, "term=members only") == []
    client.force_login(make_user("reader"))
    assert _names(client, "term=members only") == ["Members Only Trope"]


def test_a_tag_only_in_a_private_bookmark_is_not_offered(client: Client) -> None:
    from ficarchive.community.bookmarks import BookmarkData, create_bookmark

    reader = make_user("reader")
    data = BookmarkData(tags="My Secret Shelf", private=True)
    create_bookmark(reader, data, work=make_work(title="Open"))
    assert Tag.objects.filter(name="My Secret Shelf").exists()
    assert _names(client, "term=secret shelf") == []
    client.force_login(reader)
    assert _names(client, "term=secret shelf") == []


def test_canonical_tags_are_offered_with_no_work_and_unused_tags_are_not(client: Client) -> None:
    Tag.objects.create(name="Wrangled Fandom", type=TagType.FANDOM, canonical=True)
    Tag.objects.create(name="Left Over Fandom", type=TagType.FANDOM)  # its draft was deleted
    assert _names(client, "type=fandom&term=fandom") == ["Wrangled Fandom"]
