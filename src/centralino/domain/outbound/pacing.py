"""How many lines to dial now: power (fixed lines per free operator) and predictive.

Predictive pacing dials for the operators who are free and for those about to be free,
from live estimates kept by `DialStats`: the answer rate and ring times of recent dials,
and the talk and wrap-up times of recent calls. It holds the abandon rate (answered calls
with no operator within the abandon time) under the cap with two mechanisms:

* a feedback gain `k` on the expected free operators, nudged after every answered call
  so that the abandon rate settles at the aim (a share of the cap, 70% by default);
* a guard that drops to one line per free operator (which cannot abandon) whenever the
  rate over the campaign or over the rolling window has reached the cap.

All times are seconds; the functions are pure apart from the estimates they update.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class _Samples:
    """The last `size` values, with a sorted copy refreshed every `every` additions."""

    __slots__ = ("_dirty", "_every", "_size", "_sorted", "_sum", "_values")

    def __init__(self, size: int = 400, every: int = 25) -> None:
        self._values: deque[float] = deque()
        self._sorted: list[float] = []
        self._dirty = 0
        self._every = every
        self._size = size
        self._sum = 0.0

    def add(self, v: float) -> None:
        self._values.append(v)
        self._sum += v
        if len(self._values) > self._size:
            self._sum -= self._values.popleft()
        self._dirty += 1
        if self._dirty >= self._every or len(self._values) <= self._every:
            self._sorted = sorted(self._values)
            self._dirty = 0

    def __len__(self) -> int:
        return len(self._values)

    def mean(self) -> float | None:
        return self._sum / len(self._values) if self._values else None

    def count_le(self, v: float) -> int:
        return bisect.bisect_right(self._sorted, v)

    def n(self) -> int:
        return len(self._sorted)


@dataclass(slots=True)
class DialStats:
    """Live estimates from the campaign's recent dials and calls."""

    answered_rings: _Samples = field(default_factory=_Samples)  # ring time of answered dials
    all_durations: _Samples = field(default_factory=_Samples)  # ring time of every dial
    talks: _Samples = field(default_factory=_Samples)
    wraps: _Samples = field(default_factory=_Samples)
    dials: deque[bool] = field(default_factory=deque)
    dials_answered: int = 0
    window: int = 400

    def dial_resolved(self, answered: bool, seconds: float) -> None:
        self.dials.append(answered)
        self.dials_answered += answered
        if len(self.dials) > self.window:
            self.dials_answered -= self.dials.popleft()
        self.all_durations.add(seconds)
        if answered:
            self.answered_rings.add(seconds)

    def answer_rate(self) -> float | None:
        if len(self.dials) < 20 or not self.dials_answered:
            return None
        return self.dials_answered / len(self.dials)

    def answer_chance(self, rung: float) -> float:
        """Chance that a dial still ringing after `rung` seconds is answered by a person."""
        a, d = self.answered_rings, self.all_durations
        left = d.n() - d.count_le(rung)
        if left <= 0:
            return 0.0
        return min(1.0, (a.n() - a.count_le(rung)) / left)

    def mean_answer_ring(self) -> float:
        return self.answered_rings.mean() or 10.0

    def free_soon(self, busy: Iterable[tuple[bool, float]], horizon: float) -> float:
        """Expected number of busy operators free within `horizon` seconds; `busy` holds
        (talking?, seconds in the state). A talk must end with the whole wrap-up fitting."""
        talk_horizon = horizon - (self.wraps.mean() or 0.0)
        talks, wraps = self.talks, self.wraps
        return sum(
            _finishes_within(talks, e, talk_horizon) if t else _finishes_within(wraps, e, horizon)
            for t, e in busy
        )


def _finishes_within(s: _Samples, elapsed: float, horizon: float) -> float:
    if horizon <= 0 or s.n() < 10:
        return 0.0
    done = s.count_le(elapsed)
    left = s.n() - done
    if left <= 0:
        return 1.0  # longer than anything seen: about to end
    return (s.count_le(elapsed + horizon) - done) / left


@dataclass(slots=True)
class AbandonWindow:
    """Abandoned among answered calls: over the whole campaign and over a rolling time
    window (24 hours by default, as the UK rule; 30 days for the USA)."""

    seconds: float = 24 * 3600.0
    answered: int = 0
    abandoned: int = 0
    recent: deque[tuple[float, bool]] = field(default_factory=deque)
    recent_abandoned: int = 0

    def add(self, abandoned: bool, now: float) -> None:
        self.answered += 1
        self.abandoned += abandoned
        self.recent.append((now, abandoned))
        self.recent_abandoned += abandoned
        horizon = now - self.seconds
        while self.recent and self.recent[0][0] < horizon:
            self.recent_abandoned -= self.recent.popleft()[1]

    def campaign_rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    def rolling_rate(self) -> float:
        return self.recent_abandoned / len(self.recent) if self.recent else 0.0


def power_lines(ratio: float, ready: int, in_flight: int) -> int:
    """New dials for power dialing: `ratio` lines per free operator, minus those ringing."""
    return max(0, math.floor(ratio * ready + 0.5) - in_flight)


@dataclass(slots=True)
class PredictivePacer:
    cap: float = 0.03
    aim_share: float = 0.85  # aim at 85% of the cap: headroom for bad luck
    gain: float = 0.04
    k: float = 1.0
    k_min: float = 0.3
    k_max: float = 4.0
    max_lines_per_operator: float = 6.0
    grace: float = 2.0  # an answered call may wait this long for an operator
    stats: DialStats = field(default_factory=DialStats)
    window: AbandonWindow = field(default_factory=AbandonWindow)
    last_rule: str = "warming up: one line per free operator"

    @property
    def aim(self) -> float:
        return self.cap * self.aim_share

    def answered(self, abandoned: bool, now: float) -> None:
        """An answered call was connected or abandoned: steer `k` toward the aim."""
        self.window.add(abandoned, now)
        self.k += self.gain * (self.aim if not abandoned else self.aim - 1.0)
        self.k = min(self.k_max, max(self.k_min, self.k))

    def capped(self) -> bool:
        w = self.window
        rolling = len(w.recent) >= 20 and w.rolling_rate() >= self.cap
        return (w.answered >= 20 and w.campaign_rate() >= self.cap) or rolling

    def lines(
        self,
        ready: int,
        rung: Sequence[float],
        busy: Iterable[tuple[bool, float]],
        waiting: int,
        operators: int,
    ) -> int:
        """New dials now. `rung`: seconds each ringing dial has rung; `busy`: (talking?,
        seconds in the state) of each busy operator; `waiting`: answered calls waiting."""
        p = self.stats.answer_rate()
        if p is None or len(self.stats.talks) < 10:
            self.last_rule = "warming up: one line per free operator"
            return power_lines(1.0, ready - waiting, len(rung))
        if self.capped():
            self.last_rule = f"abandon cap {self.cap:.0%} reached: one line per free operator"
            return power_lines(1.0, ready - waiting, len(rung))
        horizon = self.stats.mean_answer_ring() + self.grace
        soon = self.stats.free_soon(busy, horizon)
        free = ready + soon - waiting
        coming = sum(self.stats.answer_chance(r) for r in rung)
        want = (self.k * free - coming) / p
        limit = self.max_lines_per_operator * operators - len(rung)
        n = max(0, min(int(want), int(limit)))
        self.last_rule = (
            f"predictive: {free:.1f} operators free soon, {coming:.1f} answers coming, "
            f"answer rate {p:.0%}, gain {self.k:.2f}, abandon {self.window.campaign_rate():.1%}"
            f" under cap {self.cap:.0%}"
        )
        return n
