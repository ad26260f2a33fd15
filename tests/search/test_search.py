"""Full-text search over works: the same tests on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.search import query as q
from ficarchive.search import services
from ficarchive.works.models import Work
from tests.cast import PASSWORD, make_user, make_work

pytestmark = pytest.mark.django_db


def indexed(*works: Work) -> None:
    for work in works:
        services.index_work(work.pk)


def found(text: str, user: User | AnonymousUser | None = None, sort: str = "best") -> list[str]:
    results = services.search(user or AnonymousUser(), text, sort=sort)
    return [work.title for work in results.works]


@pytest.fixture
def library() -> dict[str, Work]:
    author = make_user("lauren")
    works = {
        "Coffee": make_work(
            author,
            title="Coffee at Luke's",
            body="Rory ordered coffee at the diner.\n\nJess kissed her by the bridge.",
            fandoms=["Gilmore Girls"],
        ),
        "Bridge": make_work(
            author,
            title="The Bridge",
            body="A shop of coffee stood by the bridge, and nobody kissed anybody.",
            fandoms=["Gilmore Girls", "Veronica Mars"],
        ),
        "Stars": make_work(
            author,
            title="Stars Hollow Nights",
            summary="Dean and Rory argue about the town festival.",
            body=" ".join(["festival"] * 300),
            fandoms=["Gilmore Girls"],
        ),
    }
    indexed(*works.values())
    return works


def test_the_story_text_is_searched(library: dict[str, Work]) -> None:
    assert found("diner") == ["Coffee at Luke's"]


def test_words_are_stemmed(library: dict[str, Work]) -> None:
    assert set(found("kiss")) == {"Coffee at Luke's", "The Bridge"}


def test_a_quoted_phrase_matches_its_words_in_order(library: dict[str, Work]) -> None:
    assert found('"ordered coffee"') == ["Coffee at Luke's"]
    assert found('"coffee ordered"') == []


def test_a_phrase_needs_its_words_in_sequence_not_just_each_neighbouring_pair() -> None:
    """PostgreSQL looks a phrase's neighbouring pairs up in an index first: a work with "red
    apple" and "apple pie" apart has both pairs and must still not match "red apple pie"."""
    author = make_user()
    indexed(
        make_work(author, title="Pie", body="Red apple pie for the festival."),
        make_work(author, title="Apart", body="A red apple fell.\n\nThen came apple pie."),
    )
    assert found('"red apple pie"') == ["Pie"]
    assert set(found('"red apple"')) == {"Pie", "Apart"}


def test_phrases_with_stop_words_hyphens_and_apostrophes() -> None:
    author = make_user()
    indexed(
        make_work(author, title="Black", body="The man in black fled across the desert."),
        make_work(author, title="Known", body="It was a well-known fact at Luke's diner."),
    )
    assert found('"man in black"') == ["Black"]
    assert found('"fled across"') == ["Black"]
    assert found('"black fled man"') == []
    assert found('"well-known fact"') == ["Known"]
    assert found('"Luke\'s diner"') == ["Known"]
    assert found('title:"luke diner"') == []


def test_a_phrase_follows_the_text_when_a_work_is_edited() -> None:
    from ficarchive.works.models import Chapter

    work = make_work(title="Edited", body="They drank coffee at midnight.")
    indexed(work)
    assert found('"coffee at midnight"') == ["Edited"]

    Chapter.objects.filter(work=work).update(body="They drank tea at dawn.")
    indexed(work)

    assert found('"coffee at midnight"') == []
    assert found('"tea at dawn"') == ["Edited"]


def test_a_minus_excludes_works(library: dict[str, Work]) -> None:
    assert found("coffee -diner") == ["The Bridge"]


def test_or_finds_either(library: dict[str, Work]) -> None:
    assert set(found("diner OR festival")) == {"Coffee at Luke's", "Stars Hollow Nights"}


def test_a_field_restricts_where_words_are_looked_for(library: dict[str, Work]) -> None:
    assert found("title:bridge") == ["The Bridge"]
    assert found("summary:festival") == ["Stars Hollow Nights"]
    assert set(found("text:bridge")) == {"Coffee at Luke's", "The Bridge"}


def test_tag_fields_and_crossovers(library: dict[str, Work]) -> None:
    assert found('fandom:"Veronica Mars"') == ["The Bridge"]
    assert found("crossover:only") == ["The Bridge"]
    assert "The Bridge" not in found("coffee crossover:no")


def test_word_count_ranges(library: dict[str, Work]) -> None:
    assert found("words>100") == ["Stars Hollow Nights"]
    assert set(found("words<100")) == {"Coffee at Luke's", "The Bridge"}


def test_sorting_by_words_and_title(library: dict[str, Work]) -> None:
    assert found("gilmore OR coffee OR festival", sort="words")[0] == "Stars Hollow Nights"
    everything = found('fandom:"Gilmore Girls"', sort="title")
    assert everything == sorted(everything, key=str.lower)


def test_best_match_puts_title_hits_first(library: dict[str, Work]) -> None:
    assert found("bridge")[0] == "The Bridge"


def test_best_match_scores_works_that_have_every_required_word(
    library: dict[str, Work],
) -> None:
    """The rank is worked out only for works with the query's AND-ed words and phrases (all a
    match has); those works are still scored."""
    # (No stop-words in the phrase: PostgreSQL's English configuration drops "her" from it.)
    results = services.search(AnonymousUser(), 'bridge "ordered coffee"')
    scored = {work.title: getattr(work, services.RELEVANCE) for work in results.works}
    assert list(scored) == ["Coffee at Luke's"]
    assert scored["Coffee at Luke's"] > 0
    # Under OR no word is required: works with either are scored.
    either = services.search(AnonymousUser(), "diner OR festival").works
    assert all(getattr(work, services.RELEVANCE) > 0 for work in either)
    assert services._required(q.parse('a "b c" (d OR e) -f title:g')) == [  # type: ignore[arg-type]
        (["a"], False),
        (["b", "c"], True),
        (["g"], False),
    ]


def test_restricted_works_are_found_only_by_logged_in_readers() -> None:
    author = make_user("lauren")
    locked = make_work(author, title="Locked", body="A secret about lanterns.", restricted=True)
    indexed(locked)
    assert found("lanterns") == []
    assert found("lanterns", make_user("reader")) == ["Locked"]


def test_drafts_are_never_indexed() -> None:
    author = make_user("lauren")
    draft = make_work(author, title="Draft", body="Unposted lanterns.", posted=False)
    assert services.index_work(draft.pk) is False
    assert found("lanterns", author) == []


def test_a_deleted_or_unposted_work_leaves_the_index() -> None:
    author = make_user("lauren")
    work = make_work(author, title="Gone", body="Lanterns everywhere.")
    indexed(work)
    assert found("lanterns") == ["Gone"]
    Work.objects.filter(pk=work.pk).update(posted=False)
    indexed(work)
    assert found("lanterns", author) == []


def test_counts_filter_and_sort_works(library: dict[str, Work]) -> None:
    # The counts are kept on the work by the community app; set them directly here.
    ordered = sorted(library.values(), key=lambda work: work.pk)
    for number, work in enumerate(ordered):
        Work.objects.filter(pk=work.pk).update(
            kudos_count=10 * number, hits=100 - number, comments_count=number, bookmarks_count=0
        )
    reader = make_user("counter")
    most_kudos = services.search(reader, "kudos>0", sort="kudos").works
    assert [work.pk for work in most_kudos] == [work.pk for work in reversed(ordered[1:])]
    most_hits = services.search(reader, "", sort="hits").works
    assert most_hits[0].pk == ordered[0].pk
    assert found("bookmarks>0") == []


class TestSearchPage:
    def test_results_are_listed(self, library: dict[str, Work], client: Client) -> None:
        response = client.get("/search", {"q": "diner"})
        assert response.status_code == 200
        assert "Coffee at Luke&#x27;s" in response.content.decode()
        assert "1 Work found" in response.content.decode()

    @pytest.mark.parametrize("query", ['"unclosed', "(jess", "titel:x", "words>lots", "OR", "-"])
    def test_a_malformed_query_gets_a_helpful_message_not_an_error_page(
        self, client: Client, query: str
    ) -> None:
        response = client.get("/search", {"q": query})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()

    def test_a_restricted_work_is_absent_for_logged_out_readers(self, client: Client) -> None:
        author = make_user("lauren")
        indexed(make_work(author, title="Locked", body="Lanterns.", restricted=True))
        assert "0 Works found" in client.get("/search", {"q": "lanterns"}).content.decode()
        client.login(username="lauren", password=PASSWORD)
        assert "1 Work found" in client.get("/search", {"q": "lanterns"}).content.decode()


class TestTagFilters:
    """Filtering by tags goes through the filter table: synonyms and sub-tags count."""

    def _archive(self) -> tuple[dict[str, Work], object]:
        from tests.tags.wrangled import wrangle_gilmore_girls

        author = make_user("lauren")
        works = {
            "literati": make_work(
                author, title="Bridge Kiss", relationships=["Literati"], fandoms=["Gilmore Girls"]
            ),
            "dean": make_work(
                author, title="Town Dance", characters=["Dean Forester"], fandoms=["Gilmore Girls"]
            ),
            "other": make_work(author, title="Elsewhere", fandoms=["Veronica Mars"]),
        }
        wrangled = wrangle_gilmore_girls()
        for work in works.values():
            work.refresh_from_db()
        indexed(*works.values())
        return works, wrangled

    def test_a_synonym_is_found_under_its_canonical_tag_and_its_fandom(self) -> None:
        self._archive()
        assert found('relationship:"Rory Gilmore/Jess Mariano"') == ["Bridge Kiss"]
        assert set(found('fandom:"Gilmore Girls"')) == {"Bridge Kiss", "Town Dance"}
        assert found("relationship:Literati") == ["Bridge Kiss"]

    def test_include_and_exclude_with_counts_for_every_tag(self) -> None:
        _, wrangled = self._archive()
        fandom = wrangled.fandom  # type: ignore[attr-defined]
        literati = wrangled.literati  # type: ignore[attr-defined]
        anyone = AnonymousUser()
        included = services.search(anyone, "", include=[fandom.pk])
        assert {w.title for w in included.works} == {"Bridge Kiss", "Town Dance"}
        excluded = services.search(anyone, "", include=[fandom.pk], exclude=[literati.pk])
        assert [w.title for w in excluded.works] == ["Town Dance"]
        counts = {
            f.tag.name: f.count
            for group in services.facets(included.works).values()
            for f in group.facets
        }
        assert counts["Gilmore Girls"] == 2
        assert counts["Rory Gilmore/Jess Mariano"] == 1
        assert "Veronica Mars" not in counts

    def test_restricted_works_are_left_out_of_counts_for_logged_out_readers(self) -> None:
        author = make_user("lauren")
        open_work = make_work(author, title="Open", fandoms=["Gilmore Girls"])
        locked = make_work(author, title="Locked", fandoms=["Gilmore Girls"], restricted=True)
        indexed(open_work, locked)
        fandom_counts = {
            f.tag.name: f.count
            for group in services.facets(services.search(AnonymousUser(), "").works).values()
            for f in group.facets
        }
        assert fandom_counts["Gilmore Girls"] == 1


def test_a_common_word_repeated_400_times_is_looked_up_once(library: dict[str, Work]) -> None:
    results = services.search(AnonymousUser(), "the " * 400 + "coffee")
    assert results.query == q.And((q.Term("the"), q.Term("coffee")))
    # Side by side, bare words are one lookup in the index (and one for the best-match score).
    assert str(results.works.query).count("FROM search_work") == 2
    assert "Coffee at Luke's" in [work.title for work in results.works]


def test_words_with_no_letter_or_digit_are_searched_without_an_error(
    library: dict[str, Work],
) -> None:
    # Bad UTF-8 in an address arrives as U+FFFD; PostgreSQL's best-match score refused it.
    assert found("\ufffd\ufffd\ufffd") == []
    # PostgreSQL leaves such words out, FTS5 looks for them: no error either way.
    assert set(found("coffee \x01\x1b …")) <= set(found("coffee"))


def test_too_many_tag_filters_are_refused_with_a_message() -> None:
    limit = services.MAX_TAG_FILTERS
    assert list(services.search(AnonymousUser(), "", include=[1] * (limit + 5)).works) == []
    with pytest.raises(services.SearchError, match=f"{limit + 1} tags; the archive takes up to"):
        services.search(AnonymousUser(), "", include=range(1, limit + 2))


def test_the_search_page_refuses_a_query_over_the_limit_and_answers_a_long_repeated_one(
    library: dict[str, Work], client: Client
) -> None:
    refused = client.get("/search", {"q": "coffee " * 300})
    assert refused.status_code == 400
    assert "2,099 characters long; the archive reads up to 2,000" in refused.content.decode()
    answered = client.get("/search", {"q": "the " * 400 + "coffee"})
    assert answered.status_code == 200
    assert "Coffee at Luke&#x27;s" in answered.content.decode()


def test_a_date_range_includes_the_whole_of_its_last_day() -> None:
    from datetime import datetime

    author = make_user("lauren")
    late = make_work(author, title="Late", body="Lanterns at night.")
    Work.objects.filter(pk=late.pk).update(updated_at=datetime(2024, 6, 30, 23, 0, tzinfo=UTC))
    indexed(late)
    assert found("lanterns updated<=2024-06-30") == ["Late"]
    assert found("lanterns updated:2024") == ["Late"]
    assert found("lanterns updated<2024-06-30") == []
    assert found("lanterns updated>2024-06-30") == []
    assert found("lanterns updated>=2024-06-30") == ["Late"]


def test_chapter_notes_and_end_notes_are_searched_as_notes() -> None:
    from ficarchive.works.services import ChapterData, update_chapter

    work = make_work(make_user("lauren"), title="Noted", body="Plain text.")
    update_chapter(
        work.chapters.get(),
        ChapterData(body="Plain text.", end_notes="Thanks to my beta, periwinkle."),
    )
    indexed(work)
    assert found("notes:periwinkle") == ["Noted"]
    assert found("text:periwinkle") == []


def test_postgresql_keeps_documents_and_word_pairs_out_of_the_index_tables_rows() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite's FTS5 keeps word positions in its own index, so it has no "
            "pairs column and no TOAST setting to check (CI runs the suite on PostgreSQL too)"
        )
    work = make_work(title="Short", body="Short enough to fit in a row.")
    indexed(work)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'search_work'")
        assert "toast_tuple_target=128" in cursor.fetchone()[0]
        cursor.execute(
            "SELECT tsvector_to_array(pairs) FROM search_work WHERE work_id = %s", [work.pk]
        )
        assert "short enough" in cursor.fetchone()[0]
