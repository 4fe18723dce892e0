"""Time for the engine: a virtual clock that jumps from event to event and a wall clock.

Times are float seconds since the Unix epoch (UTC). Nothing in `domain/` or `engine/`
reads the system time except `WallClock`, so the same engine runs a simulated day in
seconds and a live day in real time.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

Callback = Callable[..., object]


def to_datetime(t: float) -> datetime:
    """A clock time as an aware UTC datetime, for the domain functions that take `now`."""
    return datetime.fromtimestamp(t, UTC)


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """Where the engine gets the time and schedules what happens later."""

    def now(self) -> float: ...

    def call_at(self, when: float, fn: Callback, *args: Any) -> Timer: ...

    def call_later(self, delay: float, fn: Callback, *args: Any) -> Timer: ...

    def call_soon(self, fn: Callback, *args: Any) -> None: ...


class _Entry:
    """A scheduled call; cancelling marks it dead and the loop skips it when it comes up."""

    __slots__ = ("args", "fn")

    def __init__(self, fn: Callback | None, args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args

    def cancel(self) -> None:
        self.fn = None


class VirtualClock:
    """Discrete-event time: `run` executes scheduled calls in time order, jumping between them.

    Calls scheduled for the same instant run in the order they were scheduled; `call_soon`
    work runs before time moves on.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _Entry]] = []
        self._soon: deque[tuple[Callback, tuple[Any, ...]]] = deque()
        self._seq = 0
        self.events = 0  # calls executed, for benchmarks and progress

    def now(self) -> float:
        return self._now

    def call_at(self, when: float, fn: Callback, *args: Any) -> _Entry:
        if when < self._now:
            when = self._now
        entry = _Entry(fn, args)
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, entry))
        return entry

    def call_later(self, delay: float, fn: Callback, *args: Any) -> _Entry:
        return self.call_at(self._now + delay, fn, *args)

    def call_soon(self, fn: Callback, *args: Any) -> None:
        self._soon.append((fn, args))

    def pending(self) -> int:
        return len(self._heap) + len(self._soon)

    def run(
        self,
        until: float | None = None,
        *,
        progress: Callable[[float], None] | None = None,
        progress_every: int = 50_000,
    ) -> None:
        """Run until nothing is left or the next call is after `until` (time then = `until`)."""
        heap = self._heap
        soon = self._soon
        pop = heapq.heappop
        popleft = soon.popleft
        limit = float("inf") if until is None else until
        count = self.events
        next_report = count + progress_every
        while True:
            while soon:
                fn, args = popleft()
                count += 1
                fn(*args)
            if not heap:
                break
            when = heap[0][0]
            if when > limit:
                break
            entry = pop(heap)[2]
            fn2 = entry.fn
            if fn2 is None:
                continue
            self._now = when
            count += 1
            fn2(*entry.args)
            if progress is not None and count >= next_report:
                next_report = count + progress_every
                self.events = count
                progress(when)
        self.events = count
        if until is not None and until > self._now:
            self._now = until
        if progress is not None:
            progress(self._now)


class WallClock:
    """Real time on an asyncio loop, optionally faster than real life (`speed` > 1) for demos.

    Clock time = `start` + (loop time elapsed) x `speed`.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        speed: float = 1.0,
        start: float | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._loop = loop
        self.speed = speed
        self._origin = loop.time()
        if start is None:  # the epoch time of the start: given, or the host's real time
            start = datetime.now(UTC).timestamp()  # the only read of it
        self._start = start

    def now(self) -> float:
        return self._start + (self._loop.time() - self._origin) * self.speed

    def call_at(self, when: float, fn: Callback, *args: Any) -> asyncio.TimerHandle:
        loop_when = self._origin + (when - self._start) / self.speed
        return self._loop.call_at(loop_when, fn, *args)

    def call_later(self, delay: float, fn: Callback, *args: Any) -> asyncio.TimerHandle:
        return self._loop.call_later(max(0.0, delay) / self.speed, fn, *args)

    def call_soon(self, fn: Callback, *args: Any) -> None:
        self._loop.call_soon(fn, *args)
