"""Describe a story: works found from what happens in them, mixed with the keyword search."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from ficarchive.accounts.models import User
from ficarchive.overlap import services as overlap
from ficarchive.search import semantic
from ficarchive.search import services as search
from ficarchive.works.models import Work
from tests.cast import make_user, make_work

pytestmark = pytest.mark.django_db

DESCRIPTION = "two people get back together after she breaks up with her boyfriend"

BREAKUP = """\
Mara ended it with Tobias on a Tuesday, in the parking lot behind the pharmacy, because there \
was never going to be a good place to do it. He had been a kind boyfriend, steady and patient, \
and she had spent a year trying to love him the way he deserved. It had not worked. He cried a \
little, and so did she, and then he drove away and she sat in her car until the streetlights \
came on.

She did not call Elliot that night, or the next. They had been together once, years ago, \
before college and his leaving and her pride had pulled them apart. Everyone in town said they \
were finished. But on Friday he was at the counter of the diner, older and quieter, reading a \
paperback with a cracked spine, and when he looked up at her she forgot every speech she had \
practised.

"I heard you broke up with him," he said.

"News travels."

"It does here." He closed the book. "Are you okay?"

She was not, and she said so, and he listened the way he always used to, without trying to \
fix anything. They talked until the diner closed. They walked the long way home, past the \
bridge where they had first kissed, and neither of them mentioned it. At her door he hesitated.

"I still love you," she said, before she could stop herself. "I never stopped. I tried."

He laughed, helplessly, and kissed her, and it felt like coming home after a long time away. \
They were not the same people they had been at seventeen, and that was the point. This time \
they knew what they were choosing. In the morning he made terrible coffee in her kitchen and \
she drank all of it, and when her mother called to ask about the rumours, Mara told her the \
truth: they were back together, and this time they meant to stay."""

LIGHTHOUSE = """\
The storm came in faster than the forecast had promised. By four in the afternoon the sky over \
the headland was the colour of slate, and the sea had begun to throw itself against the rocks \
below the lighthouse with a sound like artillery. Agnes climbed the spiral stairs with the \
lantern oil, counting the steps as her grandfather had taught her, one hundred and twelve.

The wind screamed through the gallery rail. Rain came sideways, then upward, then in sheets \
that blotted out the world. She trimmed the wick and checked the great lens, turning slowly on \
its bed of mercury, throwing its beam out into the dark where the fishing boats would be \
running for the harbour.

At nine the radio crackled. A trawler had lost its engine off the northern reef, drifting \
toward the shoals. Agnes watched the beam sweep across the water and thought of the men on \
deck, soaked and frightened, searching for the light that meant the channel. She wound the \
clockwork again, her arms aching, and did not let herself sleep.

Near midnight a window on the landing burst inward, scattering glass across the stairs. She \
boarded it with a tabletop and rope, her hands bleeding, the gale tearing at her coat. The \
tower shook with every wave. Salt spray reached even the lantern room, streaking the glass, \
and she wiped it again and again with a rag until her fingers were numb.

By dawn the storm had worn itself out. The sea lay grey and exhausted, heaving slowly, littered \
with broken timber and kelp. On the horizon she saw the trawler, towed by the lifeboat, \
limping into the harbour with every man aboard alive. Agnes sat down on the top step, put her \
head against the cold iron rail, and finally closed her eyes while the gulls returned."""

BAKERY = """\
The county fair baking contest had been won by Mrs Pennywhistle's lemon drizzle cake for \
eleven years running, and Henrik intended to end that streak. He had been practising since \
March. His tiny apartment smelled permanently of butter and burnt sugar, and his neighbours \
had stopped accepting free samples of his failed experiments.

His entry was a cardamom and orange layer cake, four tiers, with a mirror glaze that took \
three days to perfect. The first attempt slid off the sponge like a landslide. The second \
cracked in the refrigerator. The third was perfect, glossy as a lake at dawn, and he carried \
it to the fairground in the back seat of his car at eleven miles an hour.

The judging tent was hot and crowded. Twelve bakers stood beside their tables: pies with \
lattice crusts, towers of macarons, a gingerbread replica of the town hall complete with \
sugar glass windows. Mrs Pennywhistle arranged her lemon drizzle on a doily and smiled at him \
with the serene confidence of a champion.

The three judges moved slowly down the line, tasting, frowning, writing notes on clipboards. \
One of them took a second forkful of the gingerbread roof. Another pronounced a custard tart \
slightly underbaked, and its baker went pale. When they reached Henrik's cake, the oldest \
judge cut a careful slice, examined the crumb, and tasted it with her eyes closed.

The ribbons were announced at four. Third place went to the macarons, second to the lemon \
drizzle, to gasps from the crowd. First place, the judge said, went to the cardamom and \
orange layer cake, for flavour, technique and nerve. Henrik accepted the blue ribbon with \
flour still on his sleeves, and Mrs Pennywhistle shook his hand and asked for the recipe."""


def indexed(work: Work) -> Work:
    overlap.index_work(work.pk)
    search.index_work(work.pk)
    return work


def titles(found: list[tuple[Work, float]]) -> list[str]:
    return [work.title for work, _ in found]


@pytest.fixture
def author() -> User:
    return make_user("author")


@pytest.fixture
def library(author: User) -> dict[str, Work]:
    return {
        "breakup": indexed(make_work(author, title="Back Together", body=BREAKUP)),
        "lighthouse": indexed(make_work(author, title="The Keeper", body=LIGHTHOUSE)),
        "bakery": indexed(make_work(author, title="Blue Ribbon", body=BAKERY)),
    }


def test_the_described_story_ranks_first(library: dict[str, Work]) -> None:
    found = semantic.describe(AnonymousUser(), DESCRIPTION)

    assert titles(found)[0] == "Back Together"
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] <= scores[0] <= 1


def test_the_meaning_alone_ranks_the_described_story_first(library: dict[str, Work]) -> None:
    allowed = {work.pk for work in library.values()}

    ranking = semantic.semantic_ranking(DESCRIPTION, allowed)

    assert ranking[0] == library["breakup"].pk
    assert set(ranking) == allowed


def test_a_description_of_the_storm_finds_the_lighthouse(library: dict[str, Work]) -> None:
    found = semantic.describe(AnonymousUser(), "a keeper keeps the light burning through a gale")

    assert titles(found)[0] == "The Keeper"


def test_restricted_works_are_absent_for_logged_out_readers(
    library: dict[str, Work], author: User
) -> None:
    hidden = indexed(make_work(author, title="Second Chances", body=BREAKUP, restricted=True))

    assert "Second Chances" not in titles(semantic.describe(AnonymousUser(), DESCRIPTION))
    reader_sees = titles(semantic.describe(make_user("reader"), DESCRIPTION))
    assert "Second Chances" in reader_sees
    assert hidden.restricted


def test_drafts_are_absent_even_for_their_creators(library: dict[str, Work], author: User) -> None:
    indexed(make_work(author, title="Unposted Reunion", body=BREAKUP, posted=False))

    assert "Unposted Reunion" not in titles(semantic.describe(author, DESCRIPTION))
    assert "Unposted Reunion" not in titles(semantic.describe(AnonymousUser(), DESCRIPTION))


def test_a_work_indexed_after_a_search_is_found_by_the_next(
    library: dict[str, Work], author: User
) -> None:
    semantic.describe(AnonymousUser(), DESCRIPTION)
    indexed(make_work(author, title="Tide Watch", body=LIGHTHOUSE))

    assert "Tide Watch" in titles(semantic.describe(AnonymousUser(), DESCRIPTION, limit=10))


def test_the_limit_caps_the_results(library: dict[str, Work]) -> None:
    assert len(semantic.describe(AnonymousUser(), DESCRIPTION, limit=2)) == 2


def test_an_empty_description_finds_nothing(library: dict[str, Work]) -> None:
    assert semantic.describe(AnonymousUser(), "   ") == []


def test_the_keyword_query_ors_the_content_words() -> None:
    query = semantic.keyword_query("Rory and Jess get back together after she breaks up with Dean")

    assert query == "rory OR jess OR together OR breaks OR dean"


def test_a_description_the_query_parser_refuses_still_finds_by_meaning(
    library: dict[str, Work],
) -> None:
    # Quotes and a trailing minus would be query syntax; the keyword half drops them.
    found = semantic.describe(
        AnonymousUser(), 'she "breaks up with her boyfriend and they reunite -'
    )

    assert titles(found)[0] == "Back Together"


def test_rank_scores_give_the_first_one_and_the_last_one_over_n() -> None:
    assert semantic.rank_scores([7, 3, 5, 9]) == {7: 1.0, 3: 0.75, 5: 0.5, 9: 0.25}


def test_the_page_lists_the_best_fit_first(client: Client, library: dict[str, Work]) -> None:
    page = client.get("/search/describe", {"q": DESCRIPTION}).content.decode()

    assert page.index("Back Together") < page.index("The Keeper")
    assert page.index("Back Together") < page.index("Blue Ribbon")


def test_the_page_without_a_description_shows_the_form(client: Client) -> None:
    response = client.get("/search/describe")

    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert "Best fits" not in response.content.decode()


def test_the_search_page_links_to_describing_a_story(client: Client) -> None:
    page = client.get("/search").content.decode()

    assert 'href="/search/describe"' in page
    assert "Describe the story instead" in page
