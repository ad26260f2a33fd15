"""The search query language: what a reader types, turned into a tree the index can answer.

Readers already know the language from AO3 and web search engines::

    jess rory                      both words (AND is implied)
    "coffee shop"                  a phrase
    -angst   NOT angst   -"a phrase"   -fandom:"Harry Potter"
    jess OR dean   (jess OR dean) rory   jess AND rory
    fandom:"Gilmore Girls"  creator:amy  ship:jess/rory  complete:yes  crossover:no
    words>5000  words:1000-5000  words:10,000  kudos>=1.5k
    updated>2024-01-01  posted<2023-06  updated:2024  updated:2024-01..2024-03
    updated<"2 weeks"  updated>30d

Precedence is NOT > AND > OR, so ``-a b OR c`` means ``((NOT a) AND b) OR c``.

Dates compare like calendar dates (``updated>2024-01`` is after January 2024), but ages compare
like ages, as on AO3: ``updated<"2 weeks"`` is *less than two weeks ago*, so newer than the date
two weeks before ``today``; ``updated>30d`` is older than thirty days. ``updated:2w`` is the week
that ended two weeks ago. Ages are resolved to dates when parsing, so the tree holds only dates.

The parser is a tokenizer and a recursive-descent parser; every mistake it finds is a
`QueryError` whose message names the token and its column, for showing to the reader as is.
No Django here: the module is pure so the index, the views and the tests can all share it.

A query is bounded, because each of its words costs the index a lookup: at most
`MAX_QUERY_LENGTH` characters and, once repeated words and filters are merged (``the the the``
is ``the``), at most `MAX_QUERY_TERMS` words and filters. "the" typed 400 times (1.6 KB) took
77 s on SQLite before, and eight such searches stalled the site; now it is one word.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta

TEXT_FIELDS = (
    "title summary notes text creator tag fandom relationship character freeform rating "
    "warning category language"
).split()
NUMERIC_FIELDS = "words kudos hits comments bookmarks chapters".split()
DATE_FIELDS = "updated posted".split()
CHOICE_FIELDS = {
    "complete": {"yes": "yes", "true": "yes", "no": "no", "false": "no"},
    "crossover": {
        "yes": "include",
        "include": "include",
        "no": "exclude",
        "exclude": "exclude",
        "only": "only",
    },
}
CHOICE_HINTS = {"complete": "yes or no", "crossover": "yes, no or only"}
FIELD_ALIASES = {
    "author": "creator",
    "by": "creator",
    "ship": "relationship",
    "additional": "freeform",
}
RANGE_FIELDS = NUMERIC_FIELDS + DATE_FIELDS
ALL_FIELDS = TEXT_FIELDS + list(CHOICE_FIELDS) + RANGE_FIELDS

QUOTES = '"\u201c\u201d'  # writers' editors turn " into “ and ”, so all three open and close
KEYWORDS = ("OR", "AND", "NOT")  # only in upper case; "or" is a word like any other
MAX_NESTING = 64  # parentheses deeper than this are a mistake, and would exhaust the stack
# Longer queries are refused before they are read: a query is typed, not pasted from a book.
MAX_QUERY_LENGTH = 2000
# Words (a phrase's each count) and filters after repeats are merged: each is an index lookup.
MAX_QUERY_TERMS = 40
STARTS_OPERAND = ("word", "phrase", "field", "lparen", "minus", "not")


class QueryError(ValueError):
    """A query the reader has to fix; the message is written for them.

    ``position`` is the 0-based offset into the query (for highlighting); ``column`` is the same
    place counted from 1, as the message says it.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    @property
    def column(self) -> int:
        """The 1-based column the message names."""
        return self.position + 1


# --- The tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One bare word, case-folded so that ``Jess`` and ``jess`` are the same query."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together and in this order."""

    words: tuple[str, ...]

    def __str__(self) -> str:
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class Field:
    """A filter on one field; ``phrase`` says the value was quoted (match the words in order)."""

    name: str
    value: str
    phrase: bool = False

    def __str__(self) -> str:
        return f'{self.name}:"{self.value}"' if self.phrase else f"{self.name}:{self.value}"


@dataclass(frozen=True)
class Range:
    """Bounds on a number (int) or date field; ``None`` is unbounded (its flag is then False)."""

    field: str
    low: int | date | None
    high: int | date | None
    low_inclusive: bool = False
    high_inclusive: bool = False

    def __str__(self) -> str:
        low, high = self.low, self.high
        if low is not None and high is not None:
            # Only inclusive two-sided ranges can be written; an exclusive bound is the next value.
            if not self.low_inclusive and low < high:  # type: ignore[operator]
                low = _next_value(low, +1)
            if not self.high_inclusive and low < high:  # type: ignore[operator]
                high = _next_value(high, -1)
            return f"{self.field}:{_render_span(low, high)}"
        if low is not None:
            return f"{self.field}{'>=' if self.low_inclusive else '>'}{_render_value(low)}"
        if high is not None:
            return f"{self.field}{'<=' if self.high_inclusive else '<'}{_render_value(high)}"
        return f"{self.field}>=0"  # unbounded both ways: anything; only built by hand


@dataclass(frozen=True)
class Not:
    """Everything except what ``node`` matches."""

    node: Node

    def __str__(self) -> str:
        if isinstance(self.node, And | Or):
            return f"-({self.node})"
        return f"-{self.node}"


@dataclass(frozen=True)
class And:
    """All of ``nodes``; written as words side by side."""

    nodes: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(f"({n})" if isinstance(n, And | Or) else str(n) for n in self.nodes)


@dataclass(frozen=True)
class Or:
    """Any of ``nodes``."""

    nodes: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(f"({n})" if isinstance(n, Or) else str(n) for n in self.nodes)


Node = Term | Phrase | Field | Range | Not | And | Or


def _next_value(value: int | date, step: int) -> int | date:
    """The neighbouring whole number or day, to write an exclusive bound as an inclusive one."""
    return value + timedelta(days=step) if isinstance(value, date) else value + step


def _render_value(value: int | date) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _render_span(low: int | date, high: int | date) -> str:
    """An inclusive span in the shortest form that parses back to it (``2024``, ``1000-5000``)."""
    if low == high:
        return _render_value(low)
    if isinstance(low, date) and isinstance(high, date):
        if low == date(low.year, 1, 1) and high == date(low.year, 12, 31):
            return f"{low.year:04d}"
        if low.day == 1 and high == _month_end(low.year, low.month):
            return f"{low.year:04d}-{low.month:02d}"
        return f"{low.isoformat()}..{high.isoformat()}"
    return f"{_render_value(low)}-{_render_value(high)}"


# --- Public helpers ---------------------------------------------------------------------------


def parse(text: str, today: date | None = None) -> Node | None:
    """Parse a reader's query into a normalised tree; None when there is nothing to search for.

    ``today`` anchors ages like ``updated<"2 weeks"``; it defaults to the real today and is a
    parameter so that tests and cached result pages see a fixed day.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"the query is {len(text):,} characters long; the archive reads up to "
            f"{MAX_QUERY_LENGTH:,}: leave some words out",
            MAX_QUERY_LENGTH,
        )
    if "\x00" in text:
        position = text.index("\x00")
        raise QueryError(f"a NUL character at column {position + 1}: leave it out", position)
    tokens = _tokenize(text)
    if tokens[0].kind == "eof":
        return None
    tree = normalise(_Parser(tokens, today or date.today()).parse_query())
    terms = count_terms(tree)
    if terms > MAX_QUERY_TERMS:
        raise QueryError(
            f"the query has {terms} different words and filters; the archive takes up to "
            f"{MAX_QUERY_TERMS}: leave some out",
            0,
        )
    return tree


def normalise(node: Node) -> Node:
    """Merge nested And into And and Or into Or, drop repeats, unwrap one-child groups, cancel
    double NOTs.

    ``(a b) c`` and ``a (b c)`` mean ``a b c``, and ``a a`` and ``a OR a`` mean ``a``; one shape
    per meaning lets callers compare trees, keeps ``str`` canonical, and asks the index about
    each word once however often it was typed.
    """
    if isinstance(node, Not):
        negated = False
        while isinstance(node, Not):
            node, negated = node.node, not negated
        inner = normalise(node)
        if isinstance(inner, Not):  # a one-child group that held a NOT
            inner, negated = inner.node, not negated
        return Not(inner) if negated else inner
    if isinstance(node, And | Or):
        merged: list[Node] = []
        for child in node.nodes:
            child = normalise(child)
            same_kind = isinstance(child, And | Or) and type(child) is type(node)
            merged.extend(child.nodes if isinstance(child, And | Or) and same_kind else (child,))
        # The first of each repeat keeps its place (the nodes are frozen, so hashable).
        unique = tuple(dict.fromkeys(merged))
        return unique[0] if len(unique) == 1 else type(node)(unique)
    return node


def count_terms(node: Node | None) -> int:
    """How many lookups the query asks of the index: a word each, a phrase's words each, one
    per filter (a text field's value by its words)."""
    if isinstance(node, Term | Range):
        return 1
    if isinstance(node, Phrase):
        return len(node.words)
    if isinstance(node, Field):
        return max(1, len(node.value.split()))
    if isinstance(node, Not):
        return count_terms(node.node)
    if isinstance(node, And | Or):
        return sum(count_terms(child) for child in node.nodes)
    return 0


def fields_used(node: Node | None) -> set[str]:
    """The canonical field names the query filters on (aliases already resolved)."""
    if isinstance(node, Field):
        return {node.name}
    if isinstance(node, Range):
        return {node.field}
    if isinstance(node, Not):
        return fields_used(node.node)
    if isinstance(node, And | Or):
        return set().union(*(fields_used(child) for child in node.nodes))
    return set()


# --- Tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    """One token; for a field, ``text`` is ``name`` plus operator as typed (``Words>=``)."""

    kind: str  # word phrase field minus not and or lparen rparen eof
    text: str
    pos: int
    end: int  # offset just after the token, where the next one may start
    value: str = ""  # a phrase's words joined by single spaces, or a field's value
    quoted: bool = False
    value_pos: int = 0


def _tokenize(text: str) -> list[_Token]:
    """Split the query into tokens; the only errors here are unclosed quotes and lone dashes."""
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token("lparen" if char == "(" else "rparen", char, i, i + 1))
            i += 1
        elif char in QUOTES:
            value, end = _read_quoted(text, i)
            tokens.append(_Token("phrase", text[i:end], i, end, value, True, i))
            i = end
        elif char == "-":
            following = text[i + 1 : i + 2]
            if not following or following.isspace() or following == ")":
                raise QueryError(
                    f"a lone '-' at column {i + 1}: put it straight before what to leave out, "
                    "like -angst",
                    i,
                )
            tokens.append(_Token("minus", "-", i, i + 1))
            i += 1
        else:
            token = _read_field(text, i) or _read_word(text, i)
            tokens.append(token)
            i = token.end
    tokens.append(_Token("eof", "", len(text), len(text)))
    return tokens


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The words between the quote at ``start`` and the next one, and the offset after it."""
    end = next((j for j in range(start + 1, len(text)) if text[j] in QUOTES), -1)
    if end < 0:
        raise QueryError(
            f'unclosed quote at column {start + 1}: add a closing " after the phrase', start
        )
    words = text[start + 1 : end].split()
    if not words:
        raise QueryError(f"empty quotes at column {start + 1}: put words between them", start)
    return " ".join(words), end + 1


def _word_end(text: str, start: int) -> int:
    """Where a bare word starting at ``start`` ends: at a space, a parenthesis or a quote."""
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in "()" + QUOTES:
        end += 1
    return end


def _read_word(text: str, start: int) -> _Token:
    end = _word_end(text, start)
    word = text[start:end]
    kind = word.lower() if word in KEYWORDS else "word"
    return _Token(kind, word, start, end)


def _read_field(text: str, start: int) -> _Token | None:
    """A ``name:value`` / ``name>=value`` token, or None when the word is not shaped like one."""
    name_end = start
    while name_end < len(text) and text[name_end].isalpha():
        name_end += 1
    operator = next(
        (op for op in (":", ">=", "<=", ">", "<") if text.startswith(op, name_end)), None
    )
    if name_end == start or operator is None:
        return None
    value_pos = name_end + len(operator)
    label = text[start:value_pos]
    if text[value_pos : value_pos + 1] in tuple(QUOTES):
        value, end = _read_quoted(text, value_pos)
        return _Token("field", label, start, end, value, True, value_pos)
    end = _word_end(text, value_pos)
    value = text[value_pos:end]
    if not value:
        raise QueryError(
            f"'{label}' at column {start + 1} needs a value straight after it, "
            f'like {label}something or {label}"two words"',
            start,
        )
    return _Token("field", label, start, end, value, False, value_pos)


# --- Parser -----------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens: or_expr > and_expr > unary > primary."""

    def __init__(self, tokens: list[_Token], today: date) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.today = today

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse_query(self) -> Node:
        node = self.parse_or()
        extra = self.peek()
        if extra.kind != "eof":  # parse_or stops only at ')' or the end
            raise QueryError(f"unmatched ')' at column {extra.pos + 1}", extra.pos)
        return node

    def parse_or(self) -> Node:
        """or_expr := and_expr ('OR' and_expr)*"""
        nodes = [self.parse_and()]
        while self.peek().kind == "or":
            keyword = self.take()
            self.expect_operand_after(keyword)
            nodes.append(self.parse_and())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def parse_and(self) -> Node:
        """and_expr := unary (['AND'] unary)*  — words side by side are an implicit AND."""
        nodes = [self.parse_unary()]
        while True:
            token = self.peek()
            if token.kind == "and":
                self.take()
                self.expect_operand_after(token)
            elif token.kind not in STARTS_OPERAND:
                break
            nodes.append(self.parse_unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def parse_unary(self) -> Node:
        """unary := ('-' | 'NOT')* primary  — counted in a loop, so ``------x`` cannot recurse."""
        negations = 0
        while self.peek().kind in ("minus", "not"):
            self.expect_operand_after(self.take())
            negations += 1
        node = self.parse_primary()
        return Not(node) if negations % 2 else node

    def parse_primary(self) -> Node:
        """primary := word | phrase | field | '(' or_expr ')'"""
        token = self.take()
        if token.kind == "word":
            return Term(token.text.casefold())
        if token.kind == "phrase":
            return Phrase(tuple(token.value.casefold().split()))
        if token.kind == "field":
            return _field_node(token, self.today)
        if token.kind == "lparen":
            return self.parse_group(token)
        if token.kind in ("or", "and"):
            raise QueryError(
                f"'{token.text}' at column {token.pos + 1} has nothing before it", token.pos
            )
        if token.kind == "rparen":
            raise QueryError(f"unmatched ')' at column {token.pos + 1}", token.pos)
        raise QueryError(f"the query ends too early at column {token.pos + 1}", token.pos)

    def parse_group(self, opening: _Token) -> Node:
        if self.peek().kind == "eof":
            raise QueryError(
                f"'(' at column {opening.pos + 1} is never closed: add a ')'", opening.pos
            )
        if self.peek().kind == "rparen":
            raise QueryError(
                f"empty parentheses at column {opening.pos + 1}: put words between them",
                opening.pos,
            )
        if self.depth >= MAX_NESTING:
            raise QueryError(
                f"too many parentheses inside each other at column {opening.pos + 1}",
                opening.pos,
            )
        self.depth += 1
        node = self.parse_or()
        self.depth -= 1
        if self.take().kind != "rparen":
            raise QueryError(
                f"'(' at column {opening.pos + 1} is never closed: add a ')'", opening.pos
            )
        return node

    def expect_operand_after(self, operator: _Token) -> None:
        """OR, AND, NOT and '-' need something to work on right after them."""
        following = self.peek()
        if following.kind in STARTS_OPERAND and not (
            operator.kind in ("or", "and") and following.kind in ("or", "and")
        ):
            return
        raise QueryError(
            f"'{operator.text}' at column {operator.pos + 1} has nothing after it", operator.pos
        )


# --- Field values -----------------------------------------------------------------------------


def _field_node(token: _Token, today: date) -> Node:
    """Resolve the field's name and turn its value into a Field or a Range."""
    typed_name = token.text.rstrip(":<>=")
    operator = token.text[len(typed_name) :]
    name = typed_name.casefold()
    name = FIELD_ALIASES.get(name, name)
    if name not in ALL_FIELDS:
        raise _unknown_field(typed_name, operator, token.pos)
    if name in NUMERIC_FIELDS:
        return _number_range(name, operator, token)
    if name in DATE_FIELDS:
        return _date_range(name, operator, token, today)
    if operator != ":":
        raise QueryError(
            f"'{token.text}' at column {token.pos + 1}: {name} cannot be compared with "
            f"{operator}; only {', '.join(RANGE_FIELDS[:-1])} and {RANGE_FIELDS[-1]} can",
            token.pos,
        )
    value = token.value.casefold()
    if name in CHOICE_FIELDS:
        choices = CHOICE_FIELDS[name]
        if value not in choices:
            raise _value_error(token, f"{name} takes {CHOICE_HINTS[name]}")
        return Field(name, choices[value])
    return Field(name, value, token.quoted)


def _unknown_field(typed_name: str, operator: str, position: int) -> QueryError:
    """Name the field as typed and suggest the nearest real one, with the reader's operator."""
    known = ALL_FIELDS + list(FIELD_ALIASES)
    close = difflib.get_close_matches(typed_name.casefold(), known, n=1)
    hint = (
        f" — did you mean '{close[0]}{operator}'?"
        if close
        else f' — to search for the word itself, put it in quotes: "{typed_name}{operator}…"'
    )
    return QueryError(
        f"unknown field '{typed_name}{operator}' at column {position + 1}{hint}", position
    )


_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.(\d{1,3}))?(k?)", re.ASCII | re.I)
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", re.ASCII)
_AGE = re.compile(
    r"(\d{1,5}) ?(d|days?|w|weeks?|m|mos?|months?|y|yrs?|years?)(?: ago)?", re.ASCII | re.I
)


def _number_range(name: str, operator: str, token: _Token) -> Range:
    """``words>5000``, ``words:1000-5000``, ``words:1000..5000``, ``words:5k``."""
    if operator != ":":
        return _one_sided(name, operator, _number(token.value, token))
    separator = ".." if ".." in token.value else "-"
    low_text, dash, high_text = token.value.partition(separator)
    low = _number(low_text, token)
    high = _number(high_text, token) if dash else low
    _check_order(low, high, token)
    return Range(name, low, high, True, True)


def _number(text: str, token: _Token) -> int:
    """A count as readers write it: ``5000``, ``10,000``, ``5k``, ``1.5k``."""
    match = _NUMBER.fullmatch(text)
    if match is None or (match[2] and not match[3]):
        raise _value_error(token, f"'{text}' is not a whole number like 5000, 10,000, 5k or 1.5k")
    whole = int(match[1].replace(",", ""))
    if not match[3]:
        return whole
    return whole * 1000 + int((match[2] or "").ljust(3, "0"))


def _date_range(name: str, operator: str, token: _Token, today: date) -> Range:
    """Calendar dates (``2024``, ``2024-06``, ``2024-06-01``, ``a..b``) or ages (``2 weeks``)."""
    age = _AGE.fullmatch(token.value)
    if age is not None:
        return _age_range(name, operator, int(age[1]), age[2][0].lower(), token, today)
    if operator != ":":
        first, last = _date_period(token.value, token)
        bound = first if operator in (">=", "<") else last
        return _one_sided(name, operator, bound)
    low_text, dots, high_text = token.value.partition("..")
    low, high = _date_period(low_text, token)
    if dots:
        high = _date_period(high_text, token)[1]
    _check_order(low, high, token)
    return Range(name, low, high, True, True)


def _date_period(text: str, token: _Token) -> tuple[date, date]:
    """The first and last day a written date covers: a year, a month or one day."""
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        year = int(match[1])
        if match[2] is None:
            return date(year, 1, 1), date(year, 12, 31)
        month = int(match[2])
        if match[3] is None:
            return date(year, month, 1), _month_end(year, month)
        day = date(year, month, int(match[3]))
        return day, day
    except ValueError:
        raise _value_error(
            token,
            f"'{text}' is not a date like 2024, 2024-06 or 2024-06-30, nor an age like 30d "
            'or "2 weeks"',
        ) from None


def _age_range(
    name: str, operator: str, count: int, unit: str, token: _Token, today: date
) -> Range:
    """Ages compare as ages: ``<`` is more recent than the date ``count`` units ago."""
    try:
        boundary = _ago(today, count, unit)
        if operator == ":":  # the day, week, month or year that ended ``count`` units ago
            return Range(
                name, _ago(today, count + 1, unit) + timedelta(days=1), boundary, True, True
            )
    except (ValueError, OverflowError):
        raise _value_error(token, "that reaches back before the calendar starts") from None
    if operator in ("<", "<="):
        return Range(name, boundary, None, operator == "<=", False)
    return Range(name, None, boundary, False, operator == ">=")


def _ago(today: date, count: int, unit: str) -> date:
    """The date ``count`` days, weeks, months or years before ``today`` (month ends clamp)."""
    if unit in "dw":
        return today - timedelta(days=count * (7 if unit == "w" else 1))
    months = count * (12 if unit == "y" else 1)
    year, month_index = divmod(today.year * 12 + today.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _one_sided(name: str, operator: str, bound: int | date) -> Range:
    if operator.startswith(">"):
        return Range(name, bound, None, operator == ">=", False)
    return Range(name, None, bound, False, operator == "<=")


def _check_order(low: int | date, high: int | date, token: _Token) -> None:
    if low > high:  # type: ignore[operator]
        raise _value_error(token, "the range runs backwards; put the smaller end first")


def _value_error(token: _Token, problem: str) -> QueryError:
    """An error about a field's value, naming the whole field as typed and where it starts."""
    shown = f'{token.text}"{token.value}"' if token.quoted else token.text + token.value
    return QueryError(f"'{shown}' at column {token.pos + 1}: {problem}", token.pos)
