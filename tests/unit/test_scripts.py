"""Call scripts (OUT-6): the tree's rules with errors naming the field, placeholders, and
walks of answers that never leave the tree."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.errors import InvalidInput
from centralino.domain.scripts import AnswerKind, Script, render


def tree(**changes: Any) -> dict[str, Any]:
    """Greeting → interest (choice) → offer → appointment yes/no → ends with outcomes."""
    steps: list[dict[str, Any]] = [
        {"id": "hello", "text": "Buongiorno {Nome}", "kind": "none", "next": "interest"},
        {
            "id": "interest", "text": "Interested?", "kind": "choice",
            "options": [
                {"value": "much", "label": "Very", "next": "offer"},
                {"value": "little", "label": "A little", "next": "offer"},
                {"value": "no", "label": "No", "outcome": "not_interested"},
            ],
        },
        {"id": "offer", "text": "Our offer", "kind": "number", "required": False,
         "next": "appointment"},
        {
            "id": "appointment", "text": "Appointment?", "kind": "yes_no",
            "options": [
                {"value": "yes", "label": "Yes", "next": "when"},
                {"value": "no", "label": "No", "outcome": "callback"},
            ],
        },
        {"id": "when", "text": "When?", "kind": "date", "outcome": "appointment"},
    ]  # fmt: skip
    data: dict[str, Any] = {"first": "hello", "steps": steps}
    data.update(changes)
    return data


def build(data: dict[str, Any]) -> Script:
    return Script.from_json("Demo", data)


def error_field(data: dict[str, Any]) -> str | None:
    with pytest.raises(InvalidInput) as exc:
        build(data)
    return exc.value.field


def test_a_valid_tree_round_trips() -> None:
    s = build(tree())
    assert [st.id for st in s.steps] == ["hello", "interest", "offer", "appointment", "when"]
    assert s.step("interest").kind is AnswerKind.CHOICE
    assert Script.from_json("Demo", s.as_json()) == s


def steps_with(step_id: str, **changes: Any) -> dict[str, Any]:
    data = tree()
    for s in data["steps"]:
        if s["id"] == step_id:
            s.update(changes)
    return data


def test_errors_name_the_step_and_option() -> None:
    bad_next = steps_with(
        "interest",
        options=[{"value": "a", "next": "offer"}, {"value": "b", "next": "s3"}],
    )
    assert error_field(bad_next) == "steps.interest.options.1.next"
    assert error_field(steps_with("offer", next="nowhere")) == "steps.offer.next"
    assert error_field(steps_with("hello", text="")) == "steps.hello.text"
    assert error_field(steps_with("hello", kind="telepathy")) == "steps.hello.kind"
    assert error_field(tree(first="nowhere")) == "first"
    assert error_field(steps_with("appointment", options=[{"value": "si"}, {"value": "no"}])) == (
        "steps.appointment.options"
    )
    one = steps_with("interest", options=[{"value": "a", "next": "offer"}])
    assert error_field(one) == "steps.interest.options"
    twice = steps_with("interest", options=[{"value": "a"}, {"value": "a"}])
    assert error_field(twice) == "steps.interest.options.1.value"
    assert error_field(steps_with("when", outcome="not a code!")) == "steps.when.outcome"
    data = tree()
    data["steps"][1]["id"] = "hello"
    assert error_field(data) == "steps.1.id"
    assert error_field(steps_with("hello", id="bad id")) == "steps.0.id"
    assert error_field(tree(steps=[])) == "steps"


def test_unreachable_steps_and_cycles_are_refused() -> None:
    data = tree()
    data["steps"].append({"id": "lost", "text": "Nobody comes here"})
    assert error_field(data) == "steps.lost"
    loop = steps_with("offer", next="interest")
    with pytest.raises(InvalidInput, match="cannot loop") as exc:
        build(loop)
    assert exc.value.field == "steps.offer.next"
    assert error_field(steps_with("offer", next="offer")) == "steps.offer.next"


def test_a_diamond_is_not_a_cycle() -> None:
    # both options of `interest` lead to `offer`: a step reached twice is fine
    assert build(tree()).step("offer").next == "appointment"


def test_walk_follows_the_answers() -> None:
    s = build(tree())
    assert s.walk({}).current == "hello"
    w = s.walk({"hello": "", "interest": "much"})
    assert w.path == ("hello", "interest") and w.current == "offer" and not w.complete
    w = s.walk({"hello": "", "interest": "no"})
    assert w.complete and w.current is None and w.outcome == "not_interested"
    full = {"hello": "", "interest": "little", "offer": "", "appointment": "yes",
            "when": "2026-12-10"}  # fmt: skip
    w = s.walk(full)
    assert w.complete and w.outcome == "appointment" and w.path[-1] == "when"
    # an answer the step does not take stops the walk there
    assert s.walk({**full, "when": "tomorrow"}).current == "when"
    # answers off the path are ignored
    assert s.walk({"hello": "", "interest": "no", "offer": "12"}).path == ("hello", "interest")


def test_answers_are_checked_by_kind() -> None:
    s = build(tree())
    assert s.step("offer").check_answer(" 12,5 ") == "12.5"
    assert s.step("offer").check_answer("") == ""  # not required
    assert s.step("when").check_answer("2026-12-10") == "2026-12-10"
    for step, value in [("when", "10/12/2026"), ("when", ""), ("offer", "many"),
                        ("interest", "maybe"), ("appointment", "si")]:  # fmt: skip
        with pytest.raises(InvalidInput) as exc:
            s.step(step).check_answer(value)
        assert exc.value.field == step
    with pytest.raises(InvalidInput) as exc:
        s.clean_answers({"hello": "", "interest": "maybe"})
    assert exc.value.field == "answers.interest"
    with pytest.raises(InvalidInput) as exc:
        s.clean_answers({"ghost": "x"})
    assert exc.value.field == "answers.ghost"
    assert s.clean_answers({"hello": "x", "interest": "no", "offer": "3"}) == {
        "hello": "", "interest": "no",
    }  # fmt: skip


def test_render_fills_known_placeholders_and_leaves_the_others() -> None:
    values = {"Nome": "Giulia", "number": "+39333"}
    assert render("Buongiorno {Nome}, {nome}!", values) == "Buongiorno Giulia, Giulia!"
    assert render("Call {number} about {x}", values) == "Call +39333 about {x}"
    assert render("{ Nome } {}", values) == "Giulia {}"


@st.composite
def trees(draw: st.DrawFn) -> Script:
    """Random acyclic trees: each step leads only to steps after it."""
    n = draw(st.integers(1, 8))
    ids = [f"s{i}" for i in range(n)]
    steps: list[dict[str, Any]] = []
    for i, sid in enumerate(ids):
        later = [None, *ids[i + 1 :]]
        kind = draw(st.sampled_from(list(AnswerKind)))
        step: dict[str, Any] = {"id": sid, "text": f"step {i}", "kind": kind.value}
        if kind in (AnswerKind.CHOICE, AnswerKind.YES_NO):
            values = ["yes", "no"] if kind is AnswerKind.YES_NO else ["a", "b", "c"]
            step["options"] = [{"value": v, "next": draw(st.sampled_from(later))} for v in values]
        else:
            step["next"] = draw(st.sampled_from(later))
        steps.append(step)
    # keep only what the first step reaches, as the rules ask
    by_id = {s["id"]: s for s in steps}
    seen, todo = set(), ["s0"]
    while todo:
        sid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        s = by_id[sid]
        todo += [o["next"] for o in s.get("options", []) if o["next"]]
        todo += [s["next"]] if s.get("next") else []
    return Script.from_json(
        "random", {"first": "s0", "steps": [s for s in steps if s["id"] in seen]}
    )


@given(trees(), st.dictionaries(st.sampled_from([f"s{i}" for i in range(8)] + ["zz"]),
                                st.sampled_from(["a", "b", "yes", "no", "", "7", "2026-01-02", "x"])))  # fmt: skip
def test_a_walk_of_any_answers_never_leaves_the_tree(s: Script, answers: dict[str, str]) -> None:
    w = s.walk(answers)
    assert all(s.has_step(p) for p in w.path)
    assert len(set(w.path)) == len(w.path)
    assert (w.current is None) == w.complete
    if w.current is not None:
        assert s.has_step(w.current)
    # each step of the path leads to the next one by its answer
    ahead = [*w.path[1:], w.current] if w.path else []
    for a, b in zip(w.path, ahead, strict=True):
        assert s.step(a).route(s.step(a).check_answer(answers[a]))[0] == b
