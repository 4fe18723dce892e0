"""Clocks: virtual time runs in order and jumps; wall time scales with the speed factor."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from centralino.engine.clock import VirtualClock, WallClock, to_datetime


def test_virtual_clock_runs_in_time_order_and_jumps() -> None:
    clock = VirtualClock(100.0)
    seen: list[tuple[str, float]] = []
    clock.call_at(130.0, lambda: seen.append(("c", clock.now())))
    clock.call_later(10.0, lambda: seen.append(("a", clock.now())))
    clock.call_at(110.0, lambda: seen.append(("b", clock.now())))  # same instant: FIFO
    clock.run()
    assert seen == [("a", 110.0), ("b", 110.0), ("c", 130.0)]
    assert clock.events == 3


def test_cancelled_calls_never_run_and_soon_runs_before_time_moves() -> None:
    clock = VirtualClock(0.0)
    seen: list[str] = []
    t = clock.call_later(5.0, seen.append, "cancelled")
    clock.call_later(1.0, lambda: (clock.call_soon(seen.append, "soon"), clock.cancel(t)))
    clock.call_later(1.0, seen.append, "later-at-1")
    clock.run()
    assert seen == ["soon", "later-at-1"]


def test_run_until_stops_before_later_events_and_sets_the_time() -> None:
    clock = VirtualClock(0.0)
    seen: list[float] = []
    for t in (1.0, 2.0, 3.0):
        clock.call_at(t, lambda: seen.append(clock.now()))
    clock.run(until=2.5)
    assert seen == [1.0, 2.0] and clock.now() == 2.5 and clock.pending() == 1
    clock.run()
    assert seen == [1.0, 2.0, 3.0]


def test_the_past_is_now() -> None:
    clock = VirtualClock(50.0)
    seen: list[float] = []
    clock.call_at(10.0, lambda: seen.append(clock.now()))
    clock.run()
    assert seen == [50.0]


def test_to_datetime_is_utc() -> None:
    assert to_datetime(0.0).isoformat() == "1970-01-01T00:00:00+00:00"


def test_wall_clock_speed_factor() -> None:
    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        clock = WallClock(loop, speed=1000.0, start=1_000_000.0)
        fired: asyncio.Future[float] = loop.create_future()
        clock.call_later(20.0, lambda: fired.set_result(clock.now()))  # 20 ms of real time
        began = loop.time()
        at = await asyncio.wait_for(fired, 5)
        return at, loop.time() - began

    at, real = asyncio.run(main())
    assert 1_000_020.0 <= at < 1_000_020.0 + 1000 * 0.5
    assert real < 0.5


FORBIDDEN = re.compile(
    r"datetime\.now\(|datetime\.utcnow\(|time\.time\(|time\.monotonic\(|asyncio\.sleep\(|date\.today\("
)


def test_domain_and_engine_never_read_the_system_time() -> None:
    """One engine, two clocks: time comes from a Clock or a `now` argument."""
    root = Path(__file__).parents[2] / "src" / "centralino"
    offenders = []
    for package in ("domain", "engine"):
        for path in (root / package).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if FORBIDDEN.search(line) and not (
                    path.name == "clock.py" and "the only read of it" in line
                ):
                    offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []
