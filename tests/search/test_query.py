"""The search query language: one test per construct, the errors a reader sees, and properties."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ficarchive.search.query import (
    CHOICE_FIELDS,
    DATE_FIELDS,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    NUMERIC_FIELDS,
    TEXT_FIELDS,
    And,
    Field,
    Node,
    Not,
    Or,
    Phrase,
    QueryError,
    Range,
    Term,
    fields_used,
    normalise,
    parse,
)

TODAY = date(2024, 5, 15)


def p(text: str) -> Node | None:
    return parse(text, today=TODAY)


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as raised:
        p(text)
    return raised.value


# --- Words, phrases, negation ------------------------------------------------------------------


def test_an_empty_query_is_none() -> None:
    assert p("") is None
    assert p("   \t\n") is None


def test_bare_words_are_anded_terms() -> None:
    assert p("jess rory") == And((Term("jess"), Term("rory")))


def test_words_are_case_insensitive() -> None:
    assert p("JESS Rory") == p("jess rory")


def test_unicode_words_are_terms() -> None:
    assert p("Café Ünïcode 東京") == And((Term("café"), Term("ünïcode"), Term("東京")))


def test_punctuation_inside_a_word_stays_in_it() -> None:
    assert p("spider-man 8:30 jess/rory") == And(
        (Term("spider-man"), Term("8:30"), Term("jess/rory"))
    )


def test_quoted_words_are_a_phrase() -> None:
    assert p('"Coffee   Shop"') == Phrase(("coffee", "shop"))


def test_typographic_quotes_make_a_phrase_too() -> None:
    assert p("\u201ccoffee shop\u201d") == Phrase(("coffee", "shop"))


def test_minus_leaves_a_word_out() -> None:
    assert p("rory -dean") == And((Term("rory"), Not(Term("dean"))))


def test_minus_leaves_a_phrase_out() -> None:
    assert p('-"love triangle"') == Not(Phrase(("love", "triangle")))


def test_minus_leaves_a_field_out() -> None:
    assert p('-fandom:"Harry Potter"') == Not(Field("fandom", "harry potter", phrase=True))


def test_minus_leaves_a_group_out() -> None:
    assert p("-(jess OR dean)") == Not(Or((Term("jess"), Term("dean"))))


def test_not_keyword_negates_like_minus() -> None:
    assert p("rory NOT dean") == p("rory -dean")


def test_double_negation_cancels() -> None:
    assert p("NOT -angst") == Term("angst")
    assert p("---angst") == Not(Term("angst"))


# --- OR, AND, grouping -------------------------------------------------------------------------


def test_or_between_terms() -> None:
    assert p("jess OR dean") == Or((Term("jess"), Term("dean")))


def test_lowercase_or_is_an_ordinary_word() -> None:
    assert p("jess or dean") == And((Term("jess"), Term("or"), Term("dean")))


def test_explicit_and_means_the_same_as_a_space() -> None:
    assert p("jess AND rory") == p("jess rory")


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    assert p("-a b OR c d") == Or((And((Not(Term("a")), Term("b"))), And((Term("c"), Term("d")))))


def test_parentheses_group() -> None:
    assert p("(jess OR dean) rory") == And((Or((Term("jess"), Term("dean"))), Term("rory")))


def test_nested_groups_of_one_kind_are_merged() -> None:
    assert p("(a (b c)) OR (d OR e)") == Or(
        (And((Term("a"), Term("b"), Term("c"))), Term("d"), Term("e"))
    )


# --- Fields --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_every_text_field_filters(name: str) -> None:
    assert p(f"{name}:Value") == Field(name, "value")


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("author", "creator"),
        ("by", "creator"),
        ("ship", "relationship"),
        ("additional", "freeform"),
    ],
)
def test_field_aliases_resolve_to_the_canonical_name(alias: str, name: str) -> None:
    assert p(f"{alias}:amy") == Field(name, "amy")


def test_field_names_are_case_insensitive() -> None:
    assert p("Title:Foo") == Field("title", "foo")


def test_a_quoted_field_value_is_a_phrase() -> None:
    assert p('fandom:"Gilmore  Girls"') == Field("fandom", "gilmore girls", phrase=True)


def test_a_field_value_may_hold_colons_and_slashes() -> None:
    assert p("title:Re:Zero ship:jess/rory") == And(
        (Field("title", "re:zero"), Field("relationship", "jess/rory"))
    )


@pytest.mark.parametrize(
    ("typed", "value"), [("yes", "yes"), ("TRUE", "yes"), ("no", "no"), ("false", "no")]
)
def test_complete_takes_yes_or_no(typed: str, value: str) -> None:
    assert p(f"complete:{typed}") == Field("complete", value)


@pytest.mark.parametrize(
    ("typed", "value"), [("yes", "include"), ("no", "exclude"), ("only", "only")]
)
def test_crossover_normalises_to_include_exclude_only(typed: str, value: str) -> None:
    assert p(f"crossover:{typed}") == Field("crossover", value)


# --- Number ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("words>5000", Range("words", 5000, None, False, False)),
        ("words>=5000", Range("words", 5000, None, True, False)),
        ("words<1000", Range("words", None, 1000, False, False)),
        ("words<=1000", Range("words", None, 1000, False, True)),
        ("words:1000-5000", Range("words", 1000, 5000, True, True)),
        ("words:1000..5000", Range("words", 1000, 5000, True, True)),
        ("words:5000", Range("words", 5000, 5000, True, True)),
    ],
)
def test_number_ranges(query: str, expected: Range) -> None:
    assert p(query) == expected


@pytest.mark.parametrize("name", NUMERIC_FIELDS)
def test_every_numeric_field_takes_ranges(name: str) -> None:
    assert p(f"{name}>10") == Range(name, 10, None, False, False)


@pytest.mark.parametrize(
    ("written", "number"),
    [("10,000", 10000), ("1,234,567", 1234567), ("5k", 5000), ("5K", 5000), ("1.5k", 1500)],
)
def test_numbers_take_thousands_separators_and_k(written: str, number: int) -> None:
    assert p(f"kudos>={written}") == Range("kudos", number, None, True, False)


def test_a_range_of_k_numbers() -> None:
    assert p("words:5k-10,000") == Range("words", 5000, 10000, True, True)


# --- Date ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("updated>2024-01-01", Range("updated", date(2024, 1, 1), None, False, False)),
        ("updated>=2024-01-01", Range("updated", date(2024, 1, 1), None, True, False)),
        # A month is a span: after June means after its last day, before June before its first.
        ("posted>2023-06", Range("posted", date(2023, 6, 30), None, False, False)),
        ("posted<2023-06", Range("posted", None, date(2023, 6, 1), False, False)),
        ("posted<=2023-06", Range("posted", None, date(2023, 6, 30), False, True)),
        ("updated:2024", Range("updated", date(2024, 1, 1), date(2024, 12, 31), True, True)),
        ("updated:2024-02", Range("updated", date(2024, 2, 1), date(2024, 2, 29), True, True)),
        (
            "updated:2024-02-03",
            Range("updated", date(2024, 2, 3), date(2024, 2, 3), True, True),
        ),
        (
            "updated:2023..2024-03",
            Range("updated", date(2023, 1, 1), date(2024, 3, 31), True, True),
        ),
    ],
)
def test_date_ranges(query: str, expected: Range) -> None:
    assert p(query) == expected


@pytest.mark.parametrize("name", DATE_FIELDS)
def test_every_date_field_takes_ranges(name: str) -> None:
    assert p(f"{name}<2020") == Range(name, None, date(2020, 1, 1), False, False)


def test_less_than_an_age_means_more_recent_than_that_day() -> None:
    assert p('updated<"2 weeks"') == Range("updated", date(2024, 5, 1), None, False, False)


def test_more_than_an_age_means_older_than_that_day() -> None:
    assert p("updated>30d") == Range("updated", None, date(2024, 4, 15), False, False)


@pytest.mark.parametrize("age", ["1y", '"1 year"', '"12 months ago"', "12mo", "52w"])
def test_ages_take_days_weeks_months_and_years(age: str) -> None:
    node = p(f"posted<{age}")
    assert isinstance(node, Range)
    assert node.low in (date(2023, 5, 15), date(2023, 5, 17))  # 52 weeks is two days short


def test_an_exact_age_is_the_period_that_ended_then() -> None:
    assert p("updated:2w") == Range("updated", date(2024, 4, 25), date(2024, 5, 1), True, True)


def test_month_ages_clamp_to_the_end_of_a_shorter_month() -> None:
    node = parse("posted<1mo", today=date(2024, 3, 31))
    assert node == Range("posted", date(2024, 2, 29), None, False, False)


def test_ages_count_from_the_real_today_by_default() -> None:
    node = parse("updated<0d")
    assert node == Range("updated", date.today(), None, False, False)


# --- Canonical text, helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("Jess   AND  Rory", "jess rory"),
        ("(a OR b) (c d)", "(a OR b) c d"),
        ("NOT (a OR b)", "-(a OR b)"),
        ("by:Amy", "creator:amy"),
        ('ship:"Jess  Mariano/Rory"', 'relationship:"jess mariano/rory"'),
        ("words:10,000-20k", "words:10000-20000"),
        ("words:5k", "words:5000"),
        ("updated:2024-01..2024-01", "updated:2024-01"),
        ("updated>30d", "updated<2024-04-15"),
        ("crossover:no", "crossover:exclude"),
    ],
)
def test_str_renders_canonical_query_text(query: str, canonical: str) -> None:
    assert str(p(query)) == canonical


def test_a_two_sided_range_with_exclusive_ends_renders_as_its_inclusive_equivalent() -> None:
    assert str(Range("words", 10, 20, False, False)) == "words:11-19"


def test_fields_used_names_canonical_fields_anywhere_in_the_tree() -> None:
    node = p("jess (by:amy OR -ship:x) words>5 NOT updated:2024")
    assert fields_used(node) == {"creator", "relationship", "words", "updated"}
    assert fields_used(p("plain words")) == set()
    assert fields_used(None) == set()


def test_normalise_merges_nested_groups_and_unwraps_single_children() -> None:
    a, b, c = Term("a"), Term("b"), Term("c")
    assert normalise(And((a, And((b, c))))) == And((a, b, c))
    assert normalise(Or((Or((a, b)), c))) == Or((a, b, c))
    assert normalise(And((a,))) == a
    assert normalise(And((a, Or((b, And((c,))))))) == And((a, Or((b, c))))
    assert normalise(Not(Not(And((Not(a),))))) == Not(a)


# --- Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ('jess "coffee shop', 5, ["unclosed quote", "column 6"]),
        ("(jess OR dean rory", 0, ["'('", "column 1", "never closed"]),
        ("jess) rory", 4, ["unmatched ')'", "column 5"]),
        ("titel:gilmore", 0, ["unknown field 'titel:'", "column 1", "did you mean 'title:'?"]),
        ("a wrods>5", 2, ["unknown field 'wrods>'", "did you mean 'words>'?"]),
        ("jess OR", 5, ["'OR'", "column 6", "nothing after"]),
        ("OR jess", 0, ["'OR'", "column 1", "nothing before"]),
        ("jess OR OR dean", 5, ["'OR'", "column 6", "nothing after"]),
        ("(jess OR) dean", 6, ["'OR'", "column 7", "nothing after"]),
        ("jess AND", 5, ["'AND'", "column 6", "nothing after"]),
        ("jess NOT", 5, ["'NOT'", "column 6", "nothing after"]),
        ("jess - dean", 5, ["lone '-'", "column 6"]),
        ("jess -", 5, ["lone '-'", "column 6"]),
        ("jess ()", 5, ["empty parentheses", "column 6"]),
        ('jess ""', 5, ["empty quotes", "column 6"]),
        ("title: jess", 0, ["'title:'", "column 1", "needs a value"]),
        ("title>5", 0, ["'title>'", "cannot be compared", "words"]),
        ("complete>yes", 0, ["'complete>'", "cannot be compared"]),
        ("x words:lots", 2, ["'words:lots'", "column 3", "not a whole number"]),
        ("words:1,00", 0, ["'1,00'", "not a whole number"]),
        ("words:1.5", 0, ["'1.5'", "not a whole number"]),
        ("words:5000-1000", 0, ["'words:5000-1000'", "backwards"]),
        ("updated>2024-13-01", 0, ["'2024-13-01'", "not a date"]),
        ('updated<"2 fortnights"', 0, ["'updated<\"2 fortnights\"'", "not a date"]),
        ("updated:2025..2024", 0, ["backwards"]),
        ("updated>9999y", 0, ["before the calendar starts"]),
        ("complete:maybe", 0, ["'complete:maybe'", "yes or no"]),
        ("crossover:sometimes", 0, ["yes, no or only"]),
    ],
)
def test_errors_name_the_token_and_its_column(query: str, position: int, words: list[str]) -> None:
    problem = error(query)
    assert problem.position == position
    assert problem.column == position + 1
    for word in words:
        assert word in problem.message


def test_an_unknown_field_without_a_near_name_suggests_quoting() -> None:
    assert "put it in quotes" in error("http://example.org").message


def test_deep_nesting_is_refused_instead_of_exhausting_the_stack() -> None:
    assert "too many parentheses" in error("(" * 900 + "a" + ")" * 900).message


def test_long_negation_chains_do_not_recurse() -> None:
    assert p("-" * 1999 + "a") == Not(Term("a"))


def test_a_word_typed_400_times_is_one_word() -> None:
    # 1.6 KB of "the the the …" took 77 s on SQLite when each was looked up on its own.
    assert p("the " * 400) == Term("the")
    assert p("the " * 400 + "rory") == And((Term("the"), Term("rory")))


def test_repeated_words_phrases_and_groups_are_merged() -> None:
    assert p("jess rory Jess") == And((Term("jess"), Term("rory")))
    assert p("jess OR rory OR jess") == Or((Term("jess"), Term("rory")))
    coffee_shop = Phrase(("coffee", "shop"))
    assert p('"coffee shop" angst "coffee  shop"') == And((coffee_shop, Term("angst")))
    assert p("(jess rory) OR (jess rory)") == And((Term("jess"), Term("rory")))
    assert p("words>5000 words>5000") == Range("words", 5000, None)


def test_a_query_longer_than_the_limit_is_refused_with_its_length() -> None:
    assert p("a" * MAX_QUERY_LENGTH) == Term("a" * MAX_QUERY_LENGTH)
    message = error("coffee " * 300).message
    assert "2,100 characters" in message
    assert f"up to {MAX_QUERY_LENGTH:,}" in message


def test_a_query_with_too_many_different_words_is_refused() -> None:
    words = [f"word{number}" for number in range(MAX_QUERY_TERMS + 1)]
    assert p(" ".join(words[:-1])) == And(tuple(Term(word) for word in words[:-1]))
    message = error(" ".join(words)).message
    assert f"{MAX_QUERY_TERMS + 1} different words and filters" in message
    assert f"up to {MAX_QUERY_TERMS}" in message


def test_a_phrases_words_and_filters_count_towards_the_limit() -> None:
    half = MAX_QUERY_TERMS // 2
    phrase = '"' + " ".join(f"p{number}" for number in range(half)) + '"'
    filters = " ".join(f"words>{number}" for number in range(half))
    assert p(f"{phrase} {filters}") is not None
    assert "different words and filters" in error(f"{phrase} {filters} one").message


def test_a_nul_character_is_refused_with_its_column() -> None:
    found = error("jess\x00rory")
    assert found.column == 5
    assert "NUL character at column 5" in found.message


def test_a_query_error_is_a_value_error() -> None:
    assert isinstance(error("("), ValueError)


# --- Properties ----------------------------------------------------------------------------------

# Fragments of the language, so that generated text reaches the deep paths, not only words.
FRAGMENTS = st.sampled_from(
    [" ", "(", ")", '"', "\u201c", "-", "OR", "AND", "NOT", "a", "Jess", "é", ":", ">", "<",
     "=", "..", ",", "5", "10,000", "1.5k", "2024", "-06", "-31", "2w", "d", "title", "titel",
     "words", "updated", "complete", "yes", "crossover", "\u00df", "\u017f", "\t"]
)  # fmt: skip


def check_parse_outcome(text: str) -> None:
    """Parsing returns a tree or None, or raises QueryError whose message names its column; a
    tree's text parses back to the same tree."""
    problem: QueryError | None = None
    try:
        node = p(text)
    except QueryError as raised:
        problem, node = raised, None
    if problem is not None:
        assert f"column {problem.column}" in problem.message
        assert 0 <= problem.position <= len(text)
    elif node is not None:
        assert p(str(node)) == node


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_a_query_error(text: str) -> None:
    check_parse_outcome(text)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=20).map("".join))
def test_any_mix_of_query_syntax_parses_or_raises_a_query_error(text: str) -> None:
    check_parse_outcome(text)


FIELD_SHAPED = re.compile(r"[^\W\d_]+[:<>]")
WORD_CHARS = st.characters(
    blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs"), blacklist_characters='()"\u201c\u201d'
)


def is_bare_word(text: str) -> bool:
    """Text the tokenizer reads back as one plain word, as the parser would have stored it."""
    return (
        text == text.casefold()
        and not any(char.isspace() for char in text)
        and not text.startswith("-")
        and FIELD_SHAPED.match(text) is None
    )


words = st.text(WORD_CHARS, min_size=1, max_size=8).filter(is_bare_word)
phrase_words = st.lists(
    st.text(WORD_CHARS, min_size=1, max_size=8).filter(lambda w: w == w.casefold()),
    min_size=1,
    max_size=3,
).filter(lambda ws: not any(c.isspace() for w in ws for c in w))
numbers = st.integers(min_value=0, max_value=10**12)
dates = st.dates()


@st.composite
def ranges(draw: st.DrawFn) -> Range:
    """A range in a shape the parser makes: one-sided, or inclusive on both ends."""
    low: int | date
    high: int | date
    if draw(st.booleans()):
        name = draw(st.sampled_from(NUMERIC_FIELDS))
        low, high = sorted(draw(st.lists(numbers, min_size=2, max_size=2)))
    else:
        name = draw(st.sampled_from(DATE_FIELDS))
        low, high = sorted(draw(st.lists(dates, min_size=2, max_size=2)))
    shape = draw(st.sampled_from(["exact", "between", ">", ">=", "<", "<="]))
    if shape == "exact":
        return Range(name, low, low, True, True)
    if shape == "between":
        return Range(name, low, high, True, True)
    if shape.startswith(">"):
        return Range(name, low, None, shape == ">=", False)
    return Range(name, None, high, False, shape == "<=")


fields = st.one_of(
    st.builds(Field, st.sampled_from(TEXT_FIELDS), words, st.just(False)),
    st.builds(Field, st.sampled_from(TEXT_FIELDS), phrase_words.map(" ".join), st.just(True)),
    st.sampled_from([Field(name, value) for name in CHOICE_FIELDS for value in ("yes", "no")]).map(
        lambda f: p(str(f))
    ),
    st.sampled_from(["include", "exclude", "only"]).map(lambda v: Field("crossover", v)),
)
leaves = st.one_of(
    words.map(Term), phrase_words.map(lambda ws: Phrase(tuple(ws))), fields, ranges()
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        children.map(Not),
        st.lists(children, min_size=2, max_size=4).map(lambda ns: And(tuple(ns))),
        st.lists(children, min_size=2, max_size=4).map(lambda ns: Or(tuple(ns))),
    ),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_the_text_of_any_normalised_tree_parses_back_to_it(tree: Node) -> None:
    tree = normalise(tree)
    assume(tree is not None)
    assert p(str(tree)) == tree
