"""The queue router (IN-3): tiers first, then the queue's strategy among ready operators."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.queues import MAX_TIERS, Strategy
from centralino.domain.inbound.routing import QueueRouter, eligible_tier


def router(
    strategy: Strategy, tiers: dict[str, int], ready: list[str] | None = None
) -> QueueRouter:
    """Operators added in the dict's order; `ready` (default: all) made ready in that order."""
    r = QueueRouter(strategy)
    for op, tier in tiers.items():
        r.add(op, tier)
    for op in ready if ready is not None else list(tiers):
        r.set_ready(op, True)
    return r


def picks(r: QueueRouter, n: int, **kwargs: object) -> list[str]:
    out = []
    for _ in range(n):
        (op,) = r.pick(**kwargs)  # type: ignore[arg-type]
        out.append(op)
    return out


# --- membership and readiness ---


def test_membership_and_readiness_bookkeeping() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 2, "c": 0}, ready=["a", "b"])
    assert r.members() == [("a", 0), ("c", 0), ("b", 2)]
    assert r.tier_of("b") == 2 and r.tier_of("zed") is None and r.tier_count == 3
    assert r.is_ready("a") and not r.is_ready("c") and not r.is_ready("zed")
    assert r.ready_count() == 2 and r.ready_count(max_tier=1) == 1
    r.set_ready("zed", True)  # not a member: ignored
    assert r.ready_count() == 2
    r.add("a", 1)  # joining again moves the operator, not ready until told
    assert r.tier_of("a") == 1 and not r.is_ready("a")
    r.remove("b")
    r.remove("b")  # twice is harmless
    assert r.members() == [("c", 0), ("a", 1)] and r.ready_count() == 0


def test_tiers_are_bounded() -> None:
    r = QueueRouter()
    for tier in (-1, MAX_TIERS):
        with pytest.raises(InvalidInput, match="tier must be 0 to 9"):
            r.add("a", tier)


def test_no_ready_operator_no_choice() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 1}, ready=[])
    assert r.pick() == []
    assert QueueRouter().pick() == []


# --- strategies ---


def test_round_robin_takes_turns_inside_the_tier() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 0, "c": 0, "low": 1})
    assert picks(r, 7) == ["a", "b", "c", "a", "b", "c", "a"]


def test_round_robin_skips_busy_operators_and_resumes_after_the_last_offered() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 0, "c": 0, "d": 0})
    assert picks(r, 2) == ["a", "b"]
    r.set_ready("c", False)
    assert r.pick() == ["d"]
    r.set_ready("c", True)
    assert picks(r, 3) == ["a", "b", "c"]


def test_round_robin_survives_removing_the_last_operator_offered() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 0, "c": 0})
    assert picks(r, 2) == ["a", "b"]
    r.remove("b")
    assert picks(r, 3) == ["c", "a", "c"]
    r.remove("a")  # before the last offered: the turn stays with whoever follows
    r.add("e", 0)
    r.set_ready("e", True)
    assert picks(r, 2) == ["e", "c"]


def test_longest_idle_is_the_one_ready_the_longest() -> None:
    r = router(Strategy.LONGEST_IDLE, {"a": 0, "b": 0, "c": 0}, ready=["b", "c", "a"])
    assert r.pick() == ["b"]
    r.set_ready("b", False)  # b takes the call
    r.set_ready("b", True)  # and is ready again: now the most recent
    assert r.pick() == ["c"]
    r.set_ready("c", False)
    assert r.pick() == ["a"]


def test_linear_always_starts_from_the_top_of_the_tier() -> None:
    r = router(Strategy.LINEAR, {"a": 0, "b": 0, "c": 0}, ready=["c", "b", "a"])
    assert picks(r, 3) == ["a", "a", "a"]
    r.set_ready("a", False)
    assert r.pick() == ["b"]


def test_fewest_calls_and_least_talk_use_the_operator_figures_ties_by_joining_order() -> None:
    calls = {"a": 5.0, "b": 2.0, "c": 2.0}
    talk = {"a": 10.0, "b": 300.0, "c": 90.0}
    r = router(Strategy.FEWEST_CALLS, {"a": 0, "b": 0, "c": 0})
    assert r.pick(calls=calls.__getitem__) == ["b"]
    assert r.pick() == ["a"]  # no figures: all equal, joining order
    r = router(Strategy.LEAST_TALK, {"a": 0, "b": 0, "c": 0})
    assert r.pick(talk=talk.__getitem__) == ["a"]
    assert r.pick(talk=talk.__getitem__, exclude={"a"}) == ["c"]


def test_random_is_reproducible_by_seed_and_chooses_only_ready_operators() -> None:
    def run(seed: str) -> list[str]:
        r = QueueRouter(Strategy.RANDOM, seed)
        for op in "abcdef":
            r.add(op, 0)
        for op in "abcde":
            r.set_ready(op, True)
        return picks(r, 200)

    first = run("care")
    assert first == run("care")
    assert set(first) == set("abcde")  # all of them, never the one not ready


def test_ring_all_offers_to_the_whole_ready_tier() -> None:
    r = router(Strategy.RING_ALL, {"a": 0, "b": 0, "c": 0, "d": 1}, ready=["c", "a", "d"])
    assert r.pick() == ["c", "a"]
    assert r.pick(exclude={"c", "a"}) == ["d"]


def test_max_tier_stops_the_descent() -> None:
    r = router(Strategy.ROUND_ROBIN, {"a": 0, "b": 1, "c": 2}, ready=["c"])
    assert r.pick(max_tier=0) == [] and r.pick(max_tier=1) == []
    assert r.pick(max_tier=2) == ["c"] and r.pick() == ["c"]


@pytest.mark.parametrize(
    ("waited", "tier_wait", "tier"),
    [(0.0, 0.0, None), (1000.0, 0.0, None), (0.0, 10.0, 0), (9.99, 10.0, 0), (10.0, 10.0, 1)],
)
def test_eligible_tier(waited: float, tier_wait: float, tier: int | None) -> None:
    assert eligible_tier(waited, tier_wait) == tier


# --- properties ---

names = [f"op{i}" for i in range(12)]
layouts = st.lists(st.integers(0, 3), min_size=1, max_size=12).map(
    lambda tiers: dict(zip(names, tiers, strict=False))
)


@given(n=st.integers(1, 10), k=st.integers(0, 120))
def test_round_robin_is_fair_inside_a_tier(n: int, k: int) -> None:
    r = router(Strategy.ROUND_ROBIN, {f"op{i}": 0 for i in range(n)})
    counts = Counter(picks(r, k))
    taken = [counts[f"op{i}"] for i in range(n)]
    assert max(taken) - min(taken) <= 1


@given(
    n=st.integers(2, 8),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 7)), max_size=60),
)
def test_round_robin_never_skips_a_ready_operator_twice(
    n: int, steps: list[tuple[bool, int]]
) -> None:
    """Between two turns of one operator, every operator ready the whole time has had one."""
    ops = [f"op{i}" for i in range(n)]
    r = router(Strategy.ROUND_ROBIN, dict.fromkeys(ops, 0))
    for toggle, i in steps:
        op = ops[i % n]
        if toggle:
            r.set_ready(op, not r.is_ready(op))
        if r.ready_count() == 0:
            continue
        ready = [o for o in ops if r.is_ready(o)]
        window = [r.pick()[0] for _ in range(len(ready))]
        assert sorted(window) == sorted(ready)


@given(
    layout=layouts,
    data=st.data(),
    strategy=st.sampled_from(Strategy),
)
def test_a_lower_tier_is_never_chosen_while_a_higher_one_has_someone_eligible(
    layout: dict[str, int], data: st.DataObject, strategy: Strategy
) -> None:
    ops = list(layout)
    ready = data.draw(st.lists(st.sampled_from(ops), unique=True), label="ready")
    exclude = set(data.draw(st.lists(st.sampled_from(ops), unique=True), label="exclude"))
    max_tier = data.draw(st.none() | st.integers(0, 3), label="max_tier")
    r = router(strategy, layout, ready)
    chosen = r.pick(max_tier=max_tier, exclude=exclude)
    eligible = [
        op for op in ready if op not in exclude and (max_tier is None or layout[op] <= max_tier)
    ]
    if not eligible:
        assert chosen == []
        return
    top = min(layout[op] for op in eligible)
    assert chosen and all(layout[op] == top for op in chosen)
    assert not set(chosen) & exclude
    assert set(chosen) <= set(ready)
    if strategy is Strategy.RING_ALL:
        assert chosen == [op for op in ready if op in eligible and layout[op] == top]
    else:
        assert len(chosen) == 1


@given(
    layout=layouts,
    waited=st.integers(0, 5000).map(lambda t: t / 10),
    tier_wait=st.integers(0, 100).map(float),
)
def test_a_call_reaches_a_tier_only_after_waiting_tier_wait_per_step(
    layout: dict[str, int], waited: float, tier_wait: float
) -> None:
    r = router(Strategy.ROUND_ROBIN, layout)
    limit = eligible_tier(waited, tier_wait)
    chosen = r.pick(max_tier=limit)
    if tier_wait == 0:
        assert limit is None and chosen  # no tier wait: the whole queue at once
        return
    assert limit is not None and limit * tier_wait <= waited < (limit + 1) * tier_wait
    reachable = [op for op, t in layout.items() if t <= limit]
    assert bool(chosen) == bool(reachable)
    assert all(layout[op] <= limit for op in chosen)


@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["add", "remove", "ready", "busy", "pick"]), st.integers(0, 5)),
        max_size=80,
    ),
    strategy=st.sampled_from(Strategy),
)
def test_any_sequence_of_changes_keeps_choices_among_ready_members(
    ops: list[tuple[str, int]], strategy: Strategy
) -> None:
    r = QueueRouter(strategy)
    tier: dict[str, int] = {}
    ready: set[str] = set()
    for action, i in ops:
        op = f"op{i}"
        if action == "add":
            r.add(op, i % 3)
            tier[op] = i % 3
            ready.discard(op)
        elif action == "remove":
            r.remove(op)
            tier.pop(op, None)
            ready.discard(op)
        elif action in ("ready", "busy"):
            r.set_ready(op, action == "ready")
            if op in tier:
                (ready.add if action == "ready" else ready.discard)(op)
        else:
            chosen = r.pick()
            if not ready:
                assert chosen == []
                continue
            top = min(tier[o] for o in ready)
            assert chosen and all(o in ready and tier[o] == top for o in chosen)
        assert r.ready_count() == len(ready)
        assert sorted(r.members()) == sorted(tier.items())
