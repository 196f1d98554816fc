"""A custom report's GAQL, checked at parse time and given the window's condition at run time.

Our own small tokenizer and parser of the one query shape a custom report may have:

    SELECT field, ... FROM resource [WHERE condition AND ...]

`segments.date` must be selected (the window replace works by day), no condition may name a date segment
(the window's `segments.date BETWEEN` is added by us, from a Window), and ORDER BY, LIMIT and PARAMETERS
are refused: a limit or an ordering would load part of a day, and the merge would delete the rest. Whether
each field exists and is selectable is the API's to say (GoogleAdsFieldService), checked before any
request at run time. Pure: no client library, no network, so it runs at DAG parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ads_sync.windows import Window

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<unterminated>['"])
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[,()])
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)
KEYWORDS = frozenset({
    "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ASC", "DESC", "LIMIT", "PARAMETERS", "IN", "NOT",
    "BETWEEN", "DURING", "LIKE", "IS", "NULL", "CONTAINS", "ANY", "ALL", "NONE", "REGEXP_MATCH",
})
#: a selectable field: `resource.field` or `resource.message.field`, lower case
FIELD = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
RESOURCE = re.compile(r"^[a-z][a-z0-9_]*$")
#: segments that name days: a condition on any of them would narrow (or contradict) the window we add
DATE_SEGMENTS = frozenset({"segments.date", "segments.week", "segments.month", "segments.quarter",
                           "segments.year", "segments.day_of_week"})
#: at most this many fields (the API's own limit is higher; a table of more columns is no report)
MAX_FIELDS = 100
MAX_LENGTH = 10_000


class GaqlError(ValueError):
    """What is wrong with the query and how to fix it: one sentence, for the registry's message."""


@dataclass(frozen=True)
class Condition:
    field: str
    #: the condition as written after the field (operator and values), tokens joined by single spaces
    rest: str

    @property
    def text(self) -> str:
        return f"{self.field} {self.rest}"


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    resource: str
    conditions: tuple[Condition, ...] = ()

    def gaql(self, window: Window) -> str:
        """The query for one window: ours, from the parsed tokens (never the text as written), with the
        window's dates (datetime.date, never user text) as the last condition."""
        where = [c.text for c in self.conditions]
        where.append(f"segments.date BETWEEN '{window.start.isoformat()}' AND '{window.end.isoformat()}'")
        return f"SELECT {', '.join(self.fields)} FROM {self.resource} WHERE {' AND '.join(where)}"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str

    @property
    def word(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise GaqlError(f"unexpected character {text[pos]!r} at position {pos + 1}")
        kind = match.lastgroup or ""
        if kind == "unterminated":
            raise GaqlError(f"the string starting at position {pos + 1} is not closed; close its quote")
        if kind != "ws":
            out.append(_Token(kind, match.group()))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at(self, *words: str) -> bool:
        t = self.peek()
        return t is not None and t.word in words

    def next(self, expected: str) -> _Token:
        t = self.peek()
        if t is None:
            raise GaqlError(f"the query ends where {expected} was expected")
        self.pos += 1
        return t

    def keyword(self, word: str, hint: str) -> None:
        t = self.next(word)
        if t.word != word:
            raise GaqlError(f"expected {word} but found {t.text!r}; {hint}")

    def field(self, where: str) -> str:
        t = self.next(f"a field name ({where})")
        if t.kind != "name" or t.word in KEYWORDS:
            raise GaqlError(f"expected a field name ({where}) but found {t.text!r}")
        if not FIELD.fullmatch(t.text):
            raise GaqlError(f"{t.text!r} is not a field name (lower case, `resource.field`, e.g. metrics.clicks)")
        return t.text

    def query(self) -> Query:
        self.keyword("SELECT", "a custom report's query is `SELECT field, ... FROM resource`")
        fields = [self.field("after SELECT")]
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.pos += 1
            fields.append(self.field("after a comma"))
        self.keyword("FROM", "list the fields separated by commas, then FROM and the resource")
        t = self.next("the resource after FROM")
        if t.kind != "name" or t.word in KEYWORDS or not RESOURCE.fullmatch(t.text):
            raise GaqlError(f"{t.text!r} is not a resource name (lower case, e.g. campaign); name exactly one")
        resource = t.text
        if self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            raise GaqlError("a query reads exactly one resource; remove the second one after FROM")
        conditions: list[Condition] = []
        if self.at("WHERE"):
            self.pos += 1
            conditions.append(self.condition())
            while self.at("AND"):
                self.pos += 1
                conditions.append(self.condition())
        rest = self.peek()
        if rest is not None:
            t = rest
            if t.word in ("ORDER", "LIMIT", "PARAMETERS"):
                raise GaqlError(f"{t.word}{' BY' if t.word == 'ORDER' else ''} is not allowed: every row of each "
                                "day is loaded and the day replaced whole; remove it")
            if t.word == "OR":
                raise GaqlError("GAQL has no OR; use IN (...) for alternatives")
            raise GaqlError(f"unexpected {t.text!r} after the query; a custom report's query is "
                            "`SELECT ... FROM resource [WHERE condition AND ...]`")
        return Query(tuple(fields), resource, tuple(conditions))

    def condition(self) -> Condition:
        field = self.field("in WHERE")
        start = self.pos
        t = self.next(f"an operator after {field}")
        if t.word == "BETWEEN":
            self.value(field)
            self.keyword("AND", f"write `{field} BETWEEN a AND b`")
            self.value(field)
        elif t.word == "DURING":
            self.next("a date range constant after DURING")
        elif t.word == "IS":
            if self.at("NOT"):
                self.pos += 1
            self.keyword("NULL", f"write `{field} IS NULL` or `{field} IS NOT NULL`")
        elif t.word in ("IN", "NOT", "CONTAINS"):
            if t.word == "NOT":
                inner = self.next("IN or LIKE after NOT")
                if inner.word == "LIKE":
                    self.value(field)
                    return Condition(field, self.text(start))
                if inner.word != "IN":
                    raise GaqlError(f"expected IN or LIKE after NOT, found {inner.text!r}")
            elif t.word == "CONTAINS":
                inner = self.next("ANY, ALL or NONE after CONTAINS")
                if inner.word not in ("ANY", "ALL", "NONE"):
                    raise GaqlError(f"expected ANY, ALL or NONE after CONTAINS, found {inner.text!r}")
            self.values(field)
        elif t.word in ("LIKE", "REGEXP_MATCH") or t.kind == "op":
            self.value(field)
        else:
            raise GaqlError(f"{t.text!r} is not an operator (after {field})")
        return Condition(field, self.text(start))

    def value(self, field: str) -> None:
        t = self.next(f"a value for {field}")
        if t.kind not in ("string", "number") and not (t.kind == "name" and t.word not in KEYWORDS):
            raise GaqlError(f"expected a value for {field} but found {t.text!r}")

    def values(self, field: str) -> None:
        if self.next(f"( after the operator on {field}").text != "(":
            raise GaqlError(f"the values for {field} go in parentheses: ({field} IN ('A', 'B'))")
        self.value(field)
        while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
            self.pos += 1
            self.value(field)
        if self.next(f") after the values for {field}").text != ")":
            raise GaqlError(f"close the list of values for {field} with )")

    def text(self, start: int) -> str:
        return " ".join(t.text for t in self.tokens[start:self.pos])


def parse(text: str) -> Query:
    """A custom report's query, or GaqlError naming what to change."""
    if not isinstance(text, str) or not text.strip():
        raise GaqlError("must be a GAQL query: SELECT field, ... FROM resource")
    if len(text) > MAX_LENGTH:
        raise GaqlError(f"is {len(text)} characters long; at most {MAX_LENGTH}")
    query = _Parser(_tokens(text)).query()
    seen: set[str] = set()
    for name in query.fields:
        if name in seen:
            raise GaqlError(f"{name} is selected twice; select each field once")
        seen.add(name)
    if len(query.fields) > MAX_FIELDS:
        raise GaqlError(f"selects {len(query.fields)} fields; at most {MAX_FIELDS}")
    if "segments.date" not in seen:
        raise GaqlError("must select segments.date: a custom report is loaded and replaced by day")
    for condition in query.conditions:
        if condition.field in DATE_SEGMENTS:
            raise GaqlError(f"the condition `{condition.text}` limits the dates; remove it: each run adds the "
                            "window's segments.date condition itself")
    if not any(f.startswith("metrics.") for f in query.fields):
        raise GaqlError("selects no metrics; select at least one (e.g. metrics.clicks)")
    return query
