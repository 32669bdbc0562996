"""A small, safe expression language for the form's soft checks and constraints: parsed once, never eval'd.

    household_size > 0 and sum(monthly_pay) * 12 / household_size < poverty_line
    age >= 60 and not ticked(benefits, 'pension')
    not (member_no > 1 and . == 'head_of_house')

Names are question codes (their answers), settings, and in a check over a repeated section
`age` and `member_no`; in a question's constraint `.` is the answer being given. Functions:
sum(code) and count(code) over the repetitions, ticked(code, 'choice'), skipped(code)
(answered "skip"), answered(code); in a constraint same(code), the number of another
repetition whose answer to code is `.` (0 if none), and for its message name(number) and
masked(value) (a national ID with its middle digits hidden). Only these names, numbers,
quoted texts, arithmetic, comparisons, and/or/not are accepted.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from bot.dialogs.form import Form

# Each function and its arguments: a question code, a quoted choice code, or any expression.
CODE, CHOICE, VALUE = "code", "choice", "value"
SIGNATURES: dict[str, tuple[str, ...]] = {
    "sum": (CODE,), "count": (CODE,), "ticked": (CODE, CHOICE), "skipped": (CODE,), "answered": (CODE,),
    "same": (CODE,), "name": (VALUE,), "masked": (VALUE,),
}
FUNCTIONS = frozenset(SIGNATURES)
# Only in a constraint: `.` (the answer being given) and same(), which compares with it.
THIS = "_this"
CONSTRAINT_ONLY = frozenset({"same"})
# A lone dot outside quotes: `.` in `. == 'x'`, not the dot of 1.5.
_DOT = re.compile(r"(?<![\w.])\.(?![\w.])")
_QUOTED = re.compile(r"('[^']*'|\"[^\"]*\")")
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}


class ExpressionError(ValueError):
    """An expression outside the vocabulary; the message says which part."""


@dataclass(frozen=True)
class Expr:
    """A checked expression: its text and its syntax tree."""

    text: str
    tree: ast.expr

    def names(self) -> set[str]:
        """Every name it reads (function names excluded)."""
        calls = {id(n.func) for n in ast.walk(self.tree) if isinstance(n, ast.Call)}
        return {n.id for n in ast.walk(self.tree) if isinstance(n, ast.Name) and id(n) not in calls}

    def calls(self) -> list[tuple[str, list[Any]]]:
        """Every function call: its name and its arguments (names and texts as str, other expressions as None)."""
        return [(n.func.id, [_literal(a) for a in n.args]) for n in ast.walk(self.tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _literal(node: ast.expr) -> Any:
    """A function argument as written: a name or a quoted text (None for an expression)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _fits(node: ast.expr, kind: str) -> bool:
    """An argument of the kind a function takes: a code (a name), a choice (a quoted text) or any expression."""
    if kind == CODE:
        return isinstance(node, ast.Name)
    if kind == CHOICE:
        return isinstance(node, ast.Constant) and isinstance(node.value, str)
    return True


def _dots(text: str) -> str:
    """The expression with each `.` outside quotes read as the answer being given."""
    return "".join(part if i % 2 else _DOT.sub(THIS, part) for i, part in enumerate(_QUOTED.split(text)))


def parse(text: str) -> Expr:
    """Parse and check an expression; raise ExpressionError naming what is not allowed."""
    try:
        tree = ast.parse(_dots(str(text).strip()), mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"{text!r} is not an expression") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ExpressionError(f"{text!r}: only the functions {', '.join(sorted(FUNCTIONS))} may be called")
            kinds = SIGNATURES[node.func.id]
            if len(node.args) != len(kinds) or not all(_fits(a, kind) for a, kind in zip(node.args, kinds)):
                raise ExpressionError(f"{text!r}: {node.func.id}() takes {', '.join(kinds)}")
        elif isinstance(node, (ast.BoolOp, ast.And, ast.Or, ast.Not, ast.USub, ast.Name, ast.Load)):
            continue
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            continue
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            continue
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            continue
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
            continue
        elif type(node) in _BINARY or type(node) in _COMPARE:
            continue
        else:
            raise ExpressionError(f"{text!r}: {type(node).__name__} is not allowed")
    return Expr(str(text), tree)


def evaluate(expr: Expr, name: Callable[[str], Any], call: Callable[[str, list[Any]], Any]) -> Any:
    """The value of an expression; an unknown value (None) makes a comparison false and arithmetic unknown."""
    return _compiled(expr)(name, call)


Compiled = Callable[[Callable[[str], Any], Callable[[str, list[Any]], Any]], Any]
_COMPILED: dict[str, Compiled] = {}


def _compiled(expr: Expr) -> Compiled:
    """The expression as nested closures, made once per text (a review asks each check of every member)."""
    fn = _COMPILED.get(expr.text)
    if fn is None:
        fn = _COMPILED.setdefault(expr.text, _compile(expr.tree))
    return fn


def _compile(node: ast.expr) -> Compiled:
    """Closures for one checked node (the tree was checked by parse)."""
    if isinstance(node, ast.Constant):
        constant = node.value
        return lambda name, call: constant
    if isinstance(node, ast.Name):
        variable = node.id
        return lambda name, call: name(variable)
    if isinstance(node, ast.Call):
        function = node.func.id  # type: ignore[attr-defined]
        if VALUE not in SIGNATURES[function]:
            args = [_literal(a) for a in node.args]
            return lambda name, call: call(function, args)
        parts = [_compile(a) for a in node.args]
        return lambda name, call: call(function, [part(name, call) for part in parts])
    if isinstance(node, ast.BoolOp):
        parts, is_and = [_compile(v) for v in node.values], isinstance(node.op, ast.And)

        def bool_op(name: Any, call: Any) -> Any:
            result: Any = None
            for part in parts:
                result = part(name, call)
                if (is_and and not result) or (not is_and and result):
                    return result
            return result

        return bool_op
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda name, call: not operand(name, call)
        return lambda name, call: _negate(operand(name, call))
    if isinstance(node, ast.BinOp):
        left, right, op, divides = _compile(node.left), _compile(node.right), _BINARY[type(node.op)], isinstance(node.op, ast.Div)
        return lambda name, call: _arithmetic(op, divides, left(name, call), right(name, call))
    if isinstance(node, ast.Compare):
        first, pairs = _compile(node.left), [(_COMPARE[type(op)], _compile(c)) for op, c in zip(node.ops, node.comparators)]

        def compare(name: Any, call: Any) -> bool:
            left = first(name, call)
            for op, comparator in pairs:
                right = comparator(name, call)
                if left is None or right is None or not op(left, right):
                    return False
                left = right
            return True

        return compare
    raise ExpressionError(f"cannot evaluate {type(node).__name__}")


def _negate(value: Any) -> Any:
    """-value, unknown stays unknown."""
    return None if value is None else -value


def _arithmetic(op: Callable[[Any, Any], Any], divides: bool, left: Any, right: Any) -> Any:
    """left op right; unknown (or a division by zero) is unknown."""
    if left is None or right is None or (divides and right == 0):
        return None
    return op(left, right)


@dataclass(frozen=True)
class Check:
    """A soft check: when its condition holds and its item is not ticked, the review suggests ticking it."""

    suggest: str
    message: str
    when: Expr
    each: str | None = None
    params: Mapping[str, Expr] | None = None


@dataclass(frozen=True)
class Constraint:
    """A question's constraint: an answer for which `rule` does not hold is refused with `message`."""

    rule: Expr
    message: str
    params: Mapping[str, Expr] | None = None


def parse_check(raw: Any, where: str) -> Check:
    """One entry of the form's `checks`."""
    if not isinstance(raw, dict) or not raw.get("suggest") or not raw.get("message") or not raw.get("when"):
        raise ValueError(f"{where}: a check needs 'suggest' (a checklist choice), 'message' and 'when'")
    try:
        params = {str(k): parse(str(v)) for k, v in (raw.get("params") or {}).items()}
        return Check(str(raw["suggest"]), str(raw["message"]), parse(str(raw["when"])), str(raw["each"]) if raw.get("each") else None, params)
    except ExpressionError as error:
        raise ValueError(f"{where}: {error}") from None


def parse_constraint(raw: dict[str, Any], where: str) -> Constraint | None:
    """A question's `constraint`, `constraint_message` and `constraint_params`, if it has them."""
    if raw.get("constraint") is None:
        if raw.get("constraint_message") or raw.get("constraint_params"):
            raise ValueError(f"{where}: 'constraint_message' needs a 'constraint'")
        return None
    if not raw.get("constraint_message"):
        raise ValueError(f"{where}: a 'constraint' needs a 'constraint_message' (an English message id) saying why the answer is refused")
    try:
        params = {str(k): parse(str(v)) for k, v in (raw.get("constraint_params") or {}).items()}
        return Constraint(parse(str(raw["constraint"])), str(raw["constraint_message"]), params)
    except ExpressionError as error:
        raise ValueError(f"{where}: {error}") from None


def check_names(form: "Form", check: Check, where: str) -> None:
    """A check suggests a problem choice and reads only known names."""
    if not any(q.problems and q.choice(check.suggest) for q in form.questions()):
        raise ValueError(f"{where}: 'suggest' {check.suggest!r} is not a choice of a problem checklist")
    each = form.section_by_id(check.each) if check.each in {s.id for s in form.sections} else None
    if check.each is not None and (each is None or not each.repeats):
        raise ValueError(f"{where}: 'each' {check.each!r} is not a repeated section")
    _known(form, (check.when, *(check.params or {}).values()), where, repeated=each is not None, constraint=False)


def constraint_names(form: "Form", question_code: str, constraint: Constraint, where: str) -> None:
    """A constraint reads only known names; `.` is its question's answer."""
    _known(form, (constraint.rule, *(constraint.params or {}).values()), where, repeated=form.by_code[question_code].repeated, constraint=True)


def concerns_names(form: "Form", expr: Expr, where: str) -> None:
    """A problem's `concerns` condition is asked of each member: it reads their answers, age and member_no."""
    _known(form, (expr,), where, repeated=True, constraint=False)


def condition_names(form: "Form", expr: Expr, repeated: bool, where: str) -> None:
    """A relevance or required condition reads only known names (in a repeated section also age and member_no)."""
    _known(form, (expr,), where, repeated=repeated, constraint=False)


def _known(form: "Form", exprs: tuple[Expr, ...], where: str, repeated: bool, constraint: bool) -> None:
    """Every name is a question, a setting (or age, member_no, `.` where they mean something); every call fits its signature."""
    known = set(form.by_code) | set(form.settings) | ({"age", "member_no"} if repeated else set()) | ({THIS} if constraint else set())
    for expr in exprs:
        unknown = expr.names() - known
        if unknown:
            shown = ", ".join(sorted("." if n == THIS else n for n in unknown))
            raise ValueError(f"{where}: {expr.text!r} names {shown}, not a question, a setting or (over a repeated section) age or member_no")
        for function, args in expr.calls():
            if function in CONSTRAINT_ONLY and not constraint:
                raise ValueError(f"{where}: {function}() compares with the answer being given: only in a question's constraint")
            for arg, kind in zip(args, SIGNATURES[function]):
                if kind == CODE and arg not in form.by_code:
                    raise ValueError(f"{where}: {function}() takes a question code, not {arg!r}")
            if function == "ticked" and form.by_code[args[0]].choice(str(args[1])) is None:
                raise ValueError(f"{where}: {args[1]!r} is not a choice of {args[0]!r}")
            if function == "same" and not form.by_code[args[0]].repeated:
                raise ValueError(f"{where}: same() compares the answers of a repeated section's question")
