"""A small, safe evaluator for exercise conditions, e.g. `b.isi_rate_hz < a.isi_rate_hz`.

Grammar (lowest precedence first):
    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)*     chained as in maths
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("^" unary)?                                     right-associative
    atom    := NUMBER | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")" | "true" | "false"
NAME is a metric name, optionally prefixed by its run: `a.`, `b.` (the only dot allowed;
there is no attribute access). FUNC is abs, min, max or sqrt. Values are floats or bools.

Never Python's eval or exec: the text is tokenised and parsed here, into a tree of tuples
that `evaluate` walks. Limits keep hostile input cheap: 1000 characters, nesting depth 40,
exponents within [-64, 64], and results must stay finite. Every problem raises
ConditionError with a one-line message (its column where it has one).
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_EXPONENT = 64
FUNCTIONS = {"abs": (1, 1, abs), "min": (2, 8, min), "max": (2, 8, max), "sqrt": (1, 1, math.sqrt)}
KEYWORDS = {"and", "or", "not", "true", "false"}
PREFIXES = ("a", "b")

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
  | (?P<op><=|>=|==|!=|[<>+\-*/^(),])
""", re.VERBOSE)


class ConditionError(ValueError):
    """A malformed, hostile or unevaluable condition; str() is one line."""


def tokenize(text: str) -> list[tuple[str, str, int]]:
    if not isinstance(text, str):
        raise ConditionError(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"too long: {len(text)} characters, at most {MAX_LENGTH}")
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ConditionError(f"unexpected {text[pos]!r} at column {pos + 1}")
        kind = m.lastgroup
        if kind != "space":
            tokens.append((kind, m.group(), pos + 1))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ConditionError(f"unexpected end: expected {value or 'a value'}")
        if value is not None and tok[1] != value:
            raise ConditionError(f"expected {value!r} at column {tok[2]}, got {tok[1]!r}")
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] in values and tok[0] in ("op", "name")

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"nested too deeply (more than {MAX_DEPTH} levels)")

    def parse(self):
        node = self.or_()
        tok = self.peek()
        if tok is not None:
            raise ConditionError(f"unexpected {tok[1]!r} at column {tok[2]}")
        return node

    def or_(self):
        node = self.and_()
        while self.at("or"):
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self):
        node = self.not_()
        while self.at("and"):
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self):
        if self.at("not"):
            self.take()
            self.nest()
            node = ("not", self.not_())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self):
        first = self.sum_()
        links = []
        while self.at("<", "<=", ">", ">=", "==", "!="):
            op = self.take()[1]
            links.append((op, self.sum_()))
        return ("cmp", first, tuple(links)) if links else first

    def sum_(self):
        node = self.product()
        while self.at("+", "-"):
            op = self.take()[1]
            node = (op, node, self.product())
        return node

    def product(self):
        node = self.unary()
        while self.at("*", "/"):
            op = self.take()[1]
            node = (op, node, self.unary())
        return node

    def unary(self):
        if self.at("-", "+"):
            op = self.take()[1]
            self.nest()
            node = ("neg", self.unary()) if op == "-" else self.unary()
            self.depth -= 1
            return node
        return self.power()

    def power(self):
        base = self.atom()
        if self.at("^"):
            self.take()
            self.nest()
            node = ("^", base, self.unary())
            self.depth -= 1
            return node
        return base

    def atom(self):
        kind, value, col = self.take()
        if kind == "number":
            number = float(value)
            if not math.isfinite(number):
                raise ConditionError(f"number too large at column {col}")
            return ("num", number)
        if kind == "name":
            if value in ("true", "false"):
                return ("num", value == "true")
            if value in KEYWORDS:
                raise ConditionError(f"unexpected {value!r} at column {col}")
            if value in FUNCTIONS and self.at("("):
                return self.call(value, col)
            if "." in value and value.split(".")[0] not in PREFIXES:
                raise ConditionError(f"{value!r} at column {col}: only a. and b. may prefix a metric name "
                                     "(there is no attribute access)")
            if value.startswith("_") or "._" in value:
                raise ConditionError(f"{value!r} at column {col}: names cannot start with '_'")
            return ("name", value, col)
        if value == "(":
            self.nest()
            node = self.or_()
            self.take(")")
            self.depth -= 1
            return node
        raise ConditionError(f"unexpected {value!r} at column {col}")

    def call(self, name: str, col: int):
        lo, hi, _ = FUNCTIONS[name]
        self.take("(")
        self.nest()
        args = [self.or_()]
        while self.at(","):
            self.take()
            args.append(self.or_())
        self.take(")")
        self.depth -= 1
        if not lo <= len(args) <= hi:
            want = f"{lo}" if lo == hi else f"{lo} to {hi}"
            raise ConditionError(f"{name}() at column {col} takes {want} arguments, got {len(args)}")
        return ("call", name, tuple(args))


def parse(text: str):
    """The condition's tree; raises ConditionError for anything malformed or hostile."""
    return _Parser(text).parse()


def names(tree) -> set[str]:
    """Every metric name a tree reads."""
    op = tree[0]
    if op == "name":
        return {tree[1]}
    if op == "num":
        return set()
    if op == "cmp":
        return names(tree[1]).union(*(names(node) for _, node in tree[2]))
    if op == "call":
        return set().union(*(names(arg) for arg in tree[2]))
    return set().union(*(names(sub) for sub in tree[1:]))


_CMP = {"<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y, "==": lambda x, y: x == y, "!=": lambda x, y: x != y}


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        return float(value)
    if not isinstance(value, (int, float)):
        raise ConditionError(f"{what} is not a number (got {type(value).__name__})")
    value = float(value)
    if math.isnan(value):
        raise ConditionError(f"{what} was not measured in this run (NaN)")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ConditionError("the result overflowed")
    return value


def evaluate(tree, values: Mapping[str, Any]):
    """Walk a parsed tree with metric values; returns a float or a bool."""
    op = tree[0]
    if op == "num":
        return tree[1]
    if op == "name":
        name, col = tree[1], tree[2]
        if name not in values:
            raise ConditionError(f"unknown metric {name!r} at column {col}")
        value = values[name]
        if value is None:
            raise ConditionError(f"{name} was not measured in this run (null)")
        return _number(value, name)
    if op == "or":
        return bool(evaluate(tree[1], values)) or bool(evaluate(tree[2], values))
    if op == "and":
        return bool(evaluate(tree[1], values)) and bool(evaluate(tree[2], values))
    if op == "not":
        return not evaluate(tree[1], values)
    if op == "cmp":
        left = _number(evaluate(tree[1], values), "a comparison's side")
        for link, node in tree[2]:
            right = _number(evaluate(node, values), "a comparison's side")
            if not _CMP[link](left, right):
                return False
            left = right
        return True
    if op == "neg":
        return -_number(evaluate(tree[1], values), "the operand of -")
    if op == "call":
        _, _, fn = FUNCTIONS[tree[1]]
        args = [_number(evaluate(a, values), f"an argument of {tree[1]}()") for a in tree[2]]
        if tree[1] == "sqrt" and args[0] < 0:
            raise ConditionError("sqrt() of a negative number")
        return _finite(float(fn(*args)))
    x = _number(evaluate(tree[1], values), f"the left of {op}")
    y = _number(evaluate(tree[2], values), f"the right of {op}")
    if op == "+":
        return _finite(x + y)
    if op == "-":
        return _finite(x - y)
    if op == "*":
        return _finite(x * y)
    if op == "/":
        if y == 0:
            raise ConditionError("division by zero")
        return _finite(x / y)
    if op == "^":
        if abs(y) > MAX_EXPONENT:
            raise ConditionError(f"exponent {y:g} out of range: at most {MAX_EXPONENT} in size")
        if x == 0 and y < 0:
            raise ConditionError("division by zero (0 to a negative power)")
        if x < 0 and y != int(y):
            raise ConditionError("a negative number to a fractional power")
        return _finite(x ** y)
    raise ConditionError(f"unknown operation {op!r}")  # unreachable for trees from parse()


def holds(text: str, values: Mapping[str, Any]) -> bool:
    """Parse and evaluate a condition; it must come out true or false."""
    result = evaluate(parse(text), values)
    if not isinstance(result, bool):
        raise ConditionError("the condition is a number, not true or false: compare it with something")
    return result
