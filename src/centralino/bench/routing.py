"""Routing decision latency: our per-queue tier router beside a naive scan of all operators.

The same center in both: operators in several queues each, in tiers 0..2, a share of
them ready. For each decision a queue is drawn, the operator chosen (round robin in
the highest tier with a ready member), the chosen one becomes busy and a busy one
becomes ready, so readiness churns as in a real day. Both structures see the same
changes and must choose the same operator: the benchmark checks it on every decision.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from centralino.bench.latency import Latency
from centralino.domain.inbound.queues import Strategy
from centralino.domain.inbound.routing import QueueRouter


class NaiveCenter:
    """The baseline: one list of operators, scanned whole for every decision."""

    def __init__(self, memberships: list[dict[int, int]]) -> None:
        self.memberships = memberships  # operator index -> {queue: tier}
        self.ready = [False] * len(memberships)
        self.order: dict[tuple[int, int], list[int]] = {}  # (queue, tier) -> members in order
        for op, qs in enumerate(memberships):
            for q, tier in qs.items():
                self.order.setdefault((q, tier), []).append(op)
        self.last: dict[tuple[int, int], int] = {}

    def pick(self, queue: int) -> int | None:
        best_tier = None
        candidates: list[int] = []
        for op in range(len(self.memberships)):  # the whole center, every time
            tier = self.memberships[op].get(queue)
            if tier is None or not self.ready[op]:
                continue
            if best_tier is None or tier < best_tier:
                best_tier, candidates = tier, [op]
            elif tier == best_tier:
                candidates.append(op)
        if best_tier is None:
            return None
        members = self.order[(queue, best_tier)]
        pos = {op: i for i, op in enumerate(members)}
        last = self.last.get((queue, best_tier), -1)
        chosen = min(candidates, key=lambda op: (pos[op] - last - 1) % len(members))
        self.last[(queue, best_tier)] = pos[chosen]
        return chosen


@dataclass(slots=True)
class RoutingResult:
    operators: int
    queues: int
    ready_share: float
    decisions: int
    ours: Latency
    naive: Latency
    agreed: int


def run(
    operators: int = 5000,
    queues: int = 500,
    ready_share: float = 0.2,
    per_operator: int = 3,
    decisions: int = 20_000,
    seed: int = 11,
) -> RoutingResult:
    rng = random.Random(seed)
    memberships: list[dict[int, int]] = []
    for _ in range(operators):
        qs = rng.sample(range(queues), min(per_operator, queues))
        memberships.append({q: rng.choice((0, 0, 1, 2)) for q in qs})
    routers = [QueueRouter(Strategy.ROUND_ROBIN, q) for q in range(queues)]
    names = [f"op{i:05d}" for i in range(operators)]
    index = {n: i for i, n in enumerate(names)}
    for op, qs in enumerate(memberships):
        for q, tier in qs.items():
            routers[q].add(names[op], tier)
    naive = NaiveCenter(memberships)

    def set_ready(op: int, ready: bool) -> None:
        naive.ready[op] = ready
        for q in memberships[op]:
            routers[q].set_ready(names[op], ready)

    ready = set(rng.sample(range(operators), int(operators * ready_share)))
    busy = [op for op in range(operators) if op not in ready]
    for op in ready:
        set_ready(op, True)
    ours, base = Latency("Centralino tier router"), Latency("naive scan of all operators")
    agreed = 0
    clock = time.perf_counter_ns
    for _ in range(decisions):
        q = rng.randrange(queues)
        t0 = clock()
        chosen = routers[q].pick()
        t1 = clock()
        theirs = naive.pick(q)
        t2 = clock()
        ours.samples_ns.append(t1 - t0)
        base.samples_ns.append(t2 - t1)
        mine = index[chosen[0]] if chosen else None
        if mine != theirs:
            raise AssertionError(f"queue {q}: router chose {mine}, the naive scan {theirs}")
        agreed += 1
        if mine is not None:  # the chosen operator takes the call; someone else frees up
            set_ready(mine, False)
            ready.discard(mine)
            back = busy.pop(rng.randrange(len(busy)))
            busy.append(mine)
            set_ready(back, True)
            ready.add(back)
    return RoutingResult(operators, queues, ready_share, decisions, ours, base, agreed)
