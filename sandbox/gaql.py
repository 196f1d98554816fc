"""A general parser for the Google Ads Query Language (the subset reporting code uses).

    SELECT f1, f2 FROM resource [WHERE cond AND cond ...] [ORDER BY f [ASC|DESC], ...] [LIMIT n]
    [PARAMETERS name = value, ...]

Conditions: = != < <= > >= IN, NOT IN, BETWEEN .. AND .., DURING <constant>, LIKE, NOT LIKE,
IS NULL, IS NOT NULL. Errors carry the QueryError enum name the real API would report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

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
_KEYWORDS = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "LIMIT",
    "PARAMETERS",
    "IN",
    "NOT",
    "BETWEEN",
    "DURING",
    "LIKE",
    "IS",
    "NULL",
}


class GaqlError(Exception):
    """An invalid query; `code` is a QueryErrorEnum.QueryError name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "BETWEEN", "DURING", "LIKE", ...
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    resource: str
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int | None = None
    parameters: tuple[tuple[str, Any], ...] = ()

    def conditions_on(self, field: str) -> list[Condition]:
        return [c for c in self.conditions if c.field == field]


@dataclass(frozen=True)
class _Token:
    kind: str  # string | number | op | punct | name | keyword | const
    text: str
    value: Any


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise GaqlError("BAD_SYMBOL", f"Error in query: unexpected input {text[pos : pos + 20]!r}.")
        kind = m.lastgroup or ""
        raw = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "unterminated":
            raise GaqlError("STRING_NOT_TERMINATED", "Error in query: string literal is not terminated.")
        if kind == "string":
            tokens.append(_Token("string", raw, _unescape(raw)))
        elif kind == "number":
            tokens.append(_Token("number", raw, float(raw) if "." in raw else int(raw)))
        elif kind == "name" and raw.upper() in _KEYWORDS:
            tokens.append(_Token("keyword", raw.upper(), raw.upper()))
        else:
            tokens.append(_Token(kind, raw, raw))
    return tokens


class _Parser:
    def __init__(self, text: str, *, with_from: bool = True) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.with_from = with_from

    # -- token helpers -------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def at_comma(self) -> bool:
        t = self.peek()
        return t is not None and t.text == ","

    def at_keyword(self, *words: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == "keyword" and t.text in words

    def next(self, expected: str = "more input") -> _Token:
        t = self.peek()
        if t is None:
            raise GaqlError(
                "UNEXPECTED_END_OF_QUERY", f"Error in query: unexpected end of query, expected {expected}."
            )
        self.i += 1
        return t

    def keyword(self, word: str, code: str) -> None:
        t = self.next(word)
        if t.kind != "keyword" or t.text != word:
            raise GaqlError(code, f"Error in query: expected {word}, found {t.text!r}.")

    def punct(self, char: str, code: str = "UNEXPECTED_INPUT") -> None:
        t = self.next(repr(char))
        if t.text != char:
            raise GaqlError(code, f"Error in query: expected {char!r}, found {t.text!r}.")

    def name(self) -> str:
        t = self.next("a field name")
        if t.kind != "name":
            raise GaqlError("UNEXPECTED_INPUT", f"Error in query: expected a field name, found {t.text!r}.")
        return t.text

    def value(self) -> Any:
        t = self.next("a value")
        if t.kind in ("string", "number"):
            return t.value
        if t.kind == "name":  # unquoted enum constant, e.g. status = ENABLED
            return t.text
        raise GaqlError("BAD_VALUE", f"Error in query: expected a value, found {t.text!r}.")

    def value_list(self) -> tuple[Any, ...]:
        self.punct("(", "EXPECTED_LIST")
        values = [self.value()]
        while self.at_comma():
            self.i += 1
            values.append(self.value())
        self.punct(")", "EXPECTED_LIST")
        return tuple(values)

    # -- grammar -------------------------------------------------------------------------------
    def query(self) -> Query:
        self.keyword("SELECT", "EXPECTED_SELECT")
        fields = [self.name()]
        while self.at_comma():
            self.i += 1
            fields.append(self.name())
        resource = ""
        if self.with_from:
            self.keyword("FROM", "EXPECTED_FROM")
            resource = self.name()
        elif self.at_keyword("FROM"):
            raise GaqlError("UNEXPECTED_FROM_CLAUSE", "Error in query: a field query has no FROM clause.")
        conditions: list[Condition] = []
        order_by: list[tuple[str, bool]] = []
        limit: int | None = None
        parameters: list[tuple[str, Any]] = []
        if self.at_keyword("WHERE"):
            self.i += 1
            conditions.append(self.condition())
            while self.at_keyword("AND"):
                self.i += 1
                conditions.append(self.condition())
        if self.at_keyword("ORDER"):
            self.i += 1
            self.keyword("BY", "EXPECTED_BY")
            order_by.append(self.ordering())
            while self.at_comma():
                self.i += 1
                order_by.append(self.ordering())
        if self.at_keyword("LIMIT"):
            self.i += 1
            t = self.next("a number")
            if t.kind != "number" or not isinstance(t.value, int):
                raise GaqlError("BAD_LIMIT_VALUE", f"Error in query: bad LIMIT value {t.text!r}.")
            if t.value <= 0:
                raise GaqlError("LIMIT_VALUE_TOO_LOW", "Error in query: LIMIT must be positive.")
            limit = t.value
        if self.at_keyword("PARAMETERS"):
            self.i += 1
            while True:
                key = self.name()
                self.punct("=")
                parameters.append((key, self.value()))
                if not self.at_comma():
                    break
                self.i += 1
        extra = self.peek()
        if extra is not None:
            raise GaqlError("UNEXPECTED_INPUT", f"Error in query: unexpected input {extra.text!r}.")
        return Query(tuple(fields), resource, tuple(conditions), tuple(order_by), limit, tuple(parameters))

    def ordering(self) -> tuple[str, bool]:
        field = self.name()
        descending = False
        if self.at_keyword("ASC", "DESC"):
            descending = self.next().text == "DESC"
        return field, descending

    def condition(self) -> Condition:
        field = self.name()
        t = self.next("an operator")
        if t.kind == "op":
            return Condition(field, t.text, (self.value(),))
        if t.kind != "keyword":
            raise GaqlError("BAD_OPERATOR", f"Error in query: bad operator {t.text!r}.")
        if t.text == "IN":
            return Condition(field, "IN", self.value_list())
        if t.text == "BETWEEN":
            low = self.value()
            self.keyword("AND", "EXPECTED_VALUE_WITH_BETWEEN_OPERATOR")
            return Condition(field, "BETWEEN", (low, self.value()))
        if t.text == "DURING":
            const = self.next("a date range constant")
            return Condition(field, "DURING", (const.text.upper(),))
        if t.text == "LIKE":
            return Condition(field, "LIKE", (self.value(),))
        if t.text == "NOT":
            word = self.next("IN or LIKE")
            if word.text == "IN":
                return Condition(field, "NOT IN", self.value_list())
            if word.text == "LIKE":
                return Condition(field, "NOT LIKE", (self.value(),))
        if t.text == "IS":
            negate = self.at_keyword("NOT")
            if negate:
                self.i += 1
            self.keyword("NULL", "BAD_OPERATOR")
            return Condition(field, "IS NOT NULL" if negate else "IS NULL")
        raise GaqlError("BAD_OPERATOR", f"Error in query: bad operator {t.text!r}.")


def parse(text: str) -> Query:
    if not text.strip():
        raise GaqlError("EXPECTED_SELECT", "Error in query: the query is empty.")
    return _Parser(text).query()


def parse_field_query(text: str) -> Query:
    """A GoogleAdsFieldService query: GAQL without FROM (`SELECT name, data_type WHERE name IN (...)`);
    the Query's resource is ""."""
    if not text.strip():
        raise GaqlError("EXPECTED_SELECT", "Error in query: the query is empty.")
    return _Parser(text, with_from=False).query()


# -- date ranges -----------------------------------------------------------------------------------


def parse_date(value: Any) -> date:
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise GaqlError("INVALID_DATE_FORMAT", f"Error in query: invalid date {value!r}, expected 'YYYY-MM-DD'.")


def during(constant: str, today: date) -> tuple[date, date]:
    """The closed range a DURING constant names, relative to the account's today."""
    yesterday = today - timedelta(days=1)
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    ranges = {
        "TODAY": (today, today),
        "YESTERDAY": (yesterday, yesterday),
        "LAST_7_DAYS": (today - timedelta(days=7), yesterday),
        "LAST_14_DAYS": (today - timedelta(days=14), yesterday),
        "LAST_30_DAYS": (today - timedelta(days=30), yesterday),
        "THIS_MONTH": (first_of_month, today),
        "LAST_MONTH": (last_month_end.replace(day=1), last_month_end),
        "THIS_WEEK_MON_TODAY": (monday, today),
        "LAST_WEEK_MON_SUN": (monday - timedelta(days=7), monday - timedelta(days=1)),
    }
    if constant not in ranges:
        raise GaqlError(
            "INVALID_VALUE_WITH_DURING_OPERATOR", f"Error in query: unsupported DURING value {constant!r}."
        )
    return ranges[constant]


def date_range(conditions: list[Condition], today: date) -> tuple[date | None, date | None]:
    """Intersect every condition on a date field into (first, last); None where unbounded."""
    low: date | None = None
    high: date | None = None

    def bound(lo: date | None, hi: date | None) -> None:
        nonlocal low, high
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)

    for c in conditions:
        if c.op == "BETWEEN":
            first, last = parse_date(c.values[0]), parse_date(c.values[1])
            if first > last:
                raise GaqlError(
                    "INVALID_VALUE_WITH_BETWEEN_OPERATOR",
                    f"Error in query: the start date {first} of BETWEEN is after its end date {last}.",
                )
            bound(first, last)
        elif c.op == "DURING":
            bound(*during(c.values[0], today))
        elif c.op in ("=", "IN"):
            days = [parse_date(v) for v in c.values]
            bound(min(days), max(days))
        elif c.op in (">=", ">"):
            d = parse_date(c.values[0])
            bound(d + timedelta(days=1) if c.op == ">" else d, None)
        elif c.op in ("<=", "<"):
            d = parse_date(c.values[0])
            bound(None, d - timedelta(days=1) if c.op == "<" else d)
        elif c.op in ("!=", "NOT IN"):
            for v in c.values:
                parse_date(v)
        else:
            raise GaqlError(
                "OPERATOR_FIELD_MISMATCH", f"Error in query: operator {c.op} cannot filter {c.field}."
            )
    return low, high
