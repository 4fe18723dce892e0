"""Call scripts (OUT-6, "script ad albero"): a tree of steps the operator reads and answers.

Each step has a text to read (placeholders such as `{name}` filled from the contact) and
asks for an answer whose value decides the next step: a choice among options, yes/no, free
text, a number, a date, or nothing (a text to read, then on). A step whose route has no
next step ends the script, optionally suggesting an outcome code. Cycles are refused, so
every walk through a script ends; steps the first step cannot reach are refused too.
Errors name the field as the API body does: `steps.s3.options.1.next`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from centralino.domain.errors import InvalidInput

STEP_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MAX_STEPS = 200
MAX_OPTIONS = 20
MAX_TEXT = 2000
MAX_ANSWER = 500
MAX_OUTCOME = 32
_PLACEHOLDER = re.compile(r"\{([^{}\n]{1,60})\}")


class AnswerKind(StrEnum):
    CHOICE = "choice"  # one of the step's options
    YES_NO = "yes_no"  # options "yes" and "no"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"  # YYYY-MM-DD
    NONE = "none"  # nothing to answer: read the text, then on


CHOOSING = frozenset({AnswerKind.CHOICE, AnswerKind.YES_NO})
YES_NO_VALUES = ("yes", "no")


@dataclass(slots=True, frozen=True)
class Option:
    """One answer of a choice (or yes/no) and where it leads: a step, or the end."""

    value: str
    label: str
    next: str | None = None
    outcome: str | None = None


@dataclass(slots=True, frozen=True)
class Step:
    id: str
    text: str
    kind: AnswerKind = AnswerKind.NONE
    options: tuple[Option, ...] = ()
    next: str | None = None  # text, number, date, none: where any answer leads
    outcome: str | None = None  # ... and the outcome suggested when that is the end
    required: bool = True  # text, number, date: may the answer be left empty?

    def route(self, value: str) -> tuple[str | None, str | None]:
        """(next step or None for the end, suggested outcome) for an accepted answer."""
        if self.kind in CHOOSING:
            for o in self.options:
                if o.value == value:
                    return o.next, o.outcome
            raise InvalidInput(f"{value!r} is not an answer of step {self.id}", self.id)
        return self.next, self.outcome

    def check_answer(self, value: str) -> str:
        """The answer as stored (trimmed, normalised), or InvalidInput naming the step."""
        v = value.strip()
        if self.kind in CHOOSING:
            if not any(o.value == v for o in self.options):
                allowed = ", ".join(o.value for o in self.options)
                raise InvalidInput(f"choose one of: {allowed}", self.id)
            return v
        if self.kind is AnswerKind.NONE:
            return ""
        if not v:
            if self.required:
                raise InvalidInput("an answer is required", self.id)
            return ""
        if len(v) > MAX_ANSWER:
            raise InvalidInput(f"an answer is at most {MAX_ANSWER} characters", self.id)
        if self.kind is AnswerKind.NUMBER:
            try:
                n = Decimal(v.replace(",", "."))
            except InvalidOperation:
                raise InvalidInput(f"{v!r} is not a number", self.id) from None
            if not n.is_finite():
                raise InvalidInput(f"{v!r} is not a number", self.id)
            return str(n)
        if self.kind is AnswerKind.DATE:
            try:
                return date.fromisoformat(v).isoformat()
            except ValueError:
                raise InvalidInput(f"{v!r} is not a date (YYYY-MM-DD)", self.id) from None
        return v


@dataclass(slots=True, frozen=True)
class Walk:
    """Where a set of answers leads: the steps answered in order, the step to answer now
    (None once complete), and the outcome the end suggests."""

    path: tuple[str, ...]
    current: str | None
    complete: bool
    outcome: str | None = None


@dataclass(slots=True, frozen=True)
class Script:
    name: str
    first: str
    steps: tuple[Step, ...]
    _by_id: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.steps})
        check_script(self)

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    def walk(self, answers: Mapping[str, str]) -> Walk:
        """Follow the answers from the first step. An answer missing or not accepted stops
        the walk at its step; answers of steps off the path are ignored."""
        path: list[str] = []
        current: str | None = self.first
        seen: set[str] = set()
        while current is not None and current not in seen:
            seen.add(current)
            step = self._by_id[current]
            if current not in answers:
                return Walk(tuple(path), current, False)
            try:
                value = step.check_answer(answers[current])
            except InvalidInput:
                return Walk(tuple(path), current, False)
            path.append(current)
            nxt, outcome = step.route(value)
            if nxt is None:
                return Walk(tuple(path), None, True, outcome)
            current = nxt
        return Walk(tuple(path), None, True)  # a cycle, refused by check_script anyway

    def clean_answers(self, answers: Mapping[str, str]) -> dict[str, str]:
        """The answers along the path, normalised; InvalidInput at `answers.<step>` for an
        answer given to a step on the path that is not accepted."""
        out: dict[str, str] = {}
        current: str | None = self.first
        while current is not None and current in answers and current not in out:
            step = self._by_id[current]
            try:
                value = step.check_answer(answers[current])
            except InvalidInput as exc:
                raise InvalidInput(exc.message, f"answers.{current}") from None
            out[current] = value
            current = step.route(value)[0]
        for key in answers:
            if key not in self._by_id:
                raise InvalidInput(f"the script has no step {key!r}", f"answers.{key}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {"first": self.first, "steps": [step_json(s) for s in self.steps]}

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Script:
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list):
            raise InvalidInput("steps must be a list", "steps")
        steps = tuple(step_from_json(s, i) for i, s in enumerate(raw_steps))
        first = data.get("first")
        if first is None and steps:
            first = steps[0].id
        if not isinstance(first, str):
            raise InvalidInput("first must be a step id", "first")
        return cls(name, first, steps)


def step_json(s: Step) -> dict[str, Any]:
    return {
        "id": s.id, "text": s.text, "kind": s.kind.value, "required": s.required,
        "next": s.next, "outcome": s.outcome,
        "options": [
            {"value": o.value, "label": o.label, "next": o.next, "outcome": o.outcome}
            for o in s.options
        ],
    }  # fmt: skip


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    v = data.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise InvalidInput(f"{key} must be text", f"{where}.{key}")
    return v.strip() or None


def step_from_json(data: Any, index: int) -> Step:
    if not isinstance(data, Mapping):
        raise InvalidInput("a step must be an object", f"steps.{index}")
    sid = data.get("id")
    if not isinstance(sid, str) or not STEP_ID.match(sid):
        raise InvalidInput("a step id is 1 to 40 letters, digits, '-' or '_'", f"steps.{index}.id")
    where = f"steps.{sid}"
    text = data.get("text", "")
    if not isinstance(text, str):
        raise InvalidInput("text must be text", f"{where}.text")
    try:
        kind = AnswerKind(data.get("kind", "none"))
    except ValueError:
        kinds = ", ".join(k.value for k in AnswerKind)
        raise InvalidInput(f"kind is one of: {kinds}", f"{where}.kind") from None
    raw_options = data.get("options") or []
    if not isinstance(raw_options, list):
        raise InvalidInput("options must be a list", f"{where}.options")
    options = []
    for i, o in enumerate(raw_options):
        ow = f"{where}.options.{i}"
        if not isinstance(o, Mapping):
            raise InvalidInput("an option must be an object", ow)
        value = _opt_str(o, "value", ow) or ""
        label = _opt_str(o, "label", ow) or value
        options.append(Option(value, label, _opt_str(o, "next", ow), _opt_str(o, "outcome", ow)))
    required = data.get("required", True)
    if not isinstance(required, bool):
        raise InvalidInput("required must be true or false", f"{where}.required")
    return Step(
        sid, text.strip(), kind, tuple(options), _opt_str(data, "next", where),
        _opt_str(data, "outcome", where), required,
    )  # fmt: skip


def yes_no_options(
    yes: tuple[str | None, str | None] = (None, None),
    no: tuple[str | None, str | None] = (None, None),
) -> tuple[Option, ...]:
    """The two options of a yes/no step: (next, outcome) for each."""
    return (Option("yes", "yes", *yes), Option("no", "no", *no))


def _check_outcome(outcome: str | None, where: str) -> None:
    if outcome is not None and (
        len(outcome) > MAX_OUTCOME or not outcome.replace("_", "").replace("-", "").isalnum()
    ):
        raise InvalidInput(
            f"an outcome code is 1 to {MAX_OUTCOME} letters, digits, '-' or '_'",
            f"{where}.outcome",
        )


def check_step(s: Step, known: Iterable[str] | None = None) -> None:
    """One step's own rules; with `known`, its next steps must be among those ids."""
    ids = None if known is None else set(known)
    where = f"steps.{s.id}"
    if not STEP_ID.match(s.id):
        raise InvalidInput("a step id is 1 to 40 letters, digits, '-' or '_'", f"{where}.id")
    if not s.text:
        raise InvalidInput("a step needs a text to read", f"{where}.text")
    if len(s.text) > MAX_TEXT:
        raise InvalidInput(f"a step's text is at most {MAX_TEXT} characters", f"{where}.text")
    if s.kind in CHOOSING:
        if s.next is not None or s.outcome is not None:
            field_ = "next" if s.next is not None else "outcome"
            raise InvalidInput(
                "a choice leads on by its options, not by the step", f"{where}.{field_}"
            )
        if s.kind is AnswerKind.YES_NO and tuple(o.value for o in s.options) != YES_NO_VALUES:
            raise InvalidInput("a yes/no step has the options yes and no", f"{where}.options")
        if len(s.options) < 2:
            raise InvalidInput("a choice needs at least two options", f"{where}.options")
        if len(s.options) > MAX_OPTIONS:
            raise InvalidInput(f"a step has at most {MAX_OPTIONS} options", f"{where}.options")
        seen: set[str] = set()
        for i, o in enumerate(s.options):
            ow = f"{where}.options.{i}"
            if not o.value or len(o.value) > 80:
                raise InvalidInput("an option needs a value of 1 to 80 characters", f"{ow}.value")
            if o.value in seen:
                raise InvalidInput(f"the option {o.value!r} is listed twice", f"{ow}.value")
            seen.add(o.value)
            if not o.label or len(o.label) > 200:
                raise InvalidInput("an option needs a label of 1 to 200 characters", f"{ow}.label")
            if ids is not None and o.next is not None and o.next not in ids:
                raise InvalidInput(f"unknown step {o.next!r}", f"{ow}.next")
            if o.next == s.id:
                raise InvalidInput("an option cannot lead back to its own step", f"{ow}.next")
            _check_outcome(o.outcome, ow)
    else:
        if s.options:
            raise InvalidInput(f"a {s.kind.value} step has no options", f"{where}.options")
        if ids is not None and s.next is not None and s.next not in ids:
            raise InvalidInput(f"unknown step {s.next!r}", f"{where}.next")
        if s.next == s.id:
            raise InvalidInput("a step cannot lead back to itself", f"{where}.next")
        _check_outcome(s.outcome, where)


def _links(s: Step) -> list[tuple[str, str]]:
    """(field, next step id) of each way on from the step."""
    if s.kind in CHOOSING:
        return [
            (f"steps.{s.id}.options.{i}.next", o.next) for i, o in enumerate(s.options) if o.next
        ]
    return [(f"steps.{s.id}.next", s.next)] if s.next else []


def check_script(script: Script) -> None:
    """The whole tree: a name, unique steps, known next steps, no cycle, all reachable."""
    if not script.name.strip() or len(script.name) > 80:
        raise InvalidInput("a script needs a name of 1 to 80 characters", "name")
    if not script.steps:
        raise InvalidInput("a script needs at least one step", "steps")
    if len(script.steps) > MAX_STEPS:
        raise InvalidInput(f"a script has at most {MAX_STEPS} steps", "steps")
    ids: list[str] = []
    for i, s in enumerate(script.steps):
        if s.id in ids:
            raise InvalidInput(f"the step id {s.id!r} is used twice", f"steps.{i}.id")
        ids.append(s.id)
    if script.first not in ids:
        raise InvalidInput(f"unknown step {script.first!r}", "first")
    for s in script.steps:
        check_step(s, ids)
    by_id = {s.id: s for s in script.steps}
    # depth-first from the first step: a link to a step on the current path is a cycle
    state: dict[str, int] = {}  # 1 on the path, 2 done
    stack: list[tuple[str, list[tuple[str, str]]]] = [(script.first, _links(by_id[script.first]))]
    state[script.first] = 1
    while stack:
        sid, todo = stack[-1]
        if not todo:
            state[sid] = 2
            stack.pop()
            continue
        where, nxt = todo.pop(0)
        if state.get(nxt) == 1:
            raise InvalidInput(f"leads back to step {nxt!r}: a script cannot loop", where)
        if nxt not in state:
            state[nxt] = 1
            stack.append((nxt, _links(by_id[nxt])))
    for s in script.steps:
        if s.id not in state:
            raise InvalidInput(
                f"step {s.id!r} cannot be reached from the first step", f"steps.{s.id}"
            )


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill `{key}` placeholders: exact key first, then the key in any case; an unknown
    placeholder stays visible as written, so the operator sees what is missing."""
    folded = {k.casefold(): v for k, v in values.items()}

    def fill(m: re.Match[str]) -> str:
        key = m.group(1).strip()
        if key in values:
            return values[key]
        return folded.get(key.casefold(), m.group(0))

    return _PLACEHOLDER.sub(fill, text)
