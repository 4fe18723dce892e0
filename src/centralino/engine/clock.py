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


Timer = Any  # an opaque handle from `call_at`/`call_later`, for `Clock.cancel`


class Clock(Protocol):
    """Where the engine gets the time and schedules what happens later."""

    def now(self) -> float: ...

    def call_at(self, when: float, fn: Callback, *args: Any) -> Timer: ...

    def call_later(self, delay: float, fn: Callback, *args: Any) -> Timer: ...

    def call_soon(self, fn: Callback, *args: Any) -> None: ...

    def cancel(self, timer: Timer) -> None: ...


class VirtualClock:
    """Discrete-event time: `run` executes scheduled calls in time order, jumping between them.

    Calls scheduled for the same instant run in the order they were scheduled; `call_soon`
    work runs before time moves on.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        # Entries are lists [when, seq, fn, args]: one allocation, compared by (when, seq);
        # cancelling sets fn to None and the loop skips the entry when it comes up.
        self._heap: list[list[Any]] = []
        self._soon: deque[tuple[Callback, tuple[Any, ...]]] = deque()
        self._seq = 0
        self.events = 0  # calls executed, for benchmarks and progress

    def now(self) -> float:
        return self._now

    def call_at(self, when: float, fn: Callback, *args: Any) -> Timer:
        if when < self._now:
            when = self._now
        self._seq += 1
        entry = [when, self._seq, fn, args]
        heapq.heappush(self._heap, entry)
        return entry

    def call_later(self, delay: float, fn: Callback, *args: Any) -> Timer:
        self._seq += 1
        entry = [self._now + (delay if delay > 0 else 0.0), self._seq, fn, args]
        heapq.heappush(self._heap, entry)
        return entry

    def cancel(self, timer: Timer) -> None:
        timer[2] = None

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
            if heap[0][0] > limit:
                break
            when, _, fn2, args2 = pop(heap)
            if fn2 is None:
                continue
            self._now = when
            count += 1
            fn2(*args2)
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

    def cancel(self, timer: Timer) -> None:
        timer.cancel()
