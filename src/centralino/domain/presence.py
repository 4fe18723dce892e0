"""Presence and pauses per operator and local day, from the operator state log (IN-4, OUT-9).

The log holds one row per change (`Center.move`): logged out, ready, ringing, reserved,
talking, after-call work (wrap-up) and paused with a reason (the 626 screen break is a
reason). Each state lasts until the next change. Times are clock seconds (UTC epoch),
as the engine's. Time is cut at local midnights and
at the edges of the kept hours, and runs no later than `until` (the period's end, or now
if earlier), so a state still open counts up to then. A pause is counted, and judged
against its reason's limit on its whole length, on the day it starts; a pause that
started before the period only adds its time inside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from centralino.domain.operators import OperatorState

S = OperatorState
NO_REASON = ""  # a pause without a reason


class StateChange(NamedTuple):
    """A row of the log (a tuple: a month of a large center's log is millions of them)."""

    at: float  # clock seconds
    state: OperatorState
    reason: str | None = None


@dataclass(slots=True, frozen=True)
class Segment:
    """A stretch of time kept by the report, inside one local day."""

    start: float  # clock seconds
    end: float
    day: date


def segments(
    days: Iterable[tuple[date, float, float]], spans: Sequence[tuple[float, float]]
) -> list[Segment]:
    """The kept spans cut at the day edges: `days` are (local day, start, end)."""
    out = []
    for day, d0, d1 in days:
        for a, b in spans:
            lo, hi = max(a, d0), min(b, d1)
            if lo < hi:
                out.append(Segment(lo, hi, day))
    out.sort(key=lambda s: s.start)
    return out


@dataclass(slots=True)
class DayPresence:
    """One operator's day: seconds per state and per pause reason, pauses counted."""

    first_login: float | None = None  # where the day's logged-in time begins
    last_logout: float | None = None  # and where it ends
    time: dict[OperatorState, float] = field(default_factory=dict)
    pause_time: dict[str, float] = field(default_factory=dict)
    pauses: dict[str, int] = field(default_factory=dict)
    over_limit: dict[str, int] = field(default_factory=dict)

    def seconds(self, *states: OperatorState) -> float:
        return sum(self.time.get(s, 0.0) for s in states)

    @property
    def logged_in(self) -> float:
        return sum(self.time.values())

    @property
    def ready(self) -> float:
        return self.seconds(S.READY)

    @property
    def connecting(self) -> float:
        """Ringing (an inbound offer) or reserved (an outbound call being put through)."""
        return self.seconds(S.RINGING, S.RESERVED)

    @property
    def talking(self) -> float:
        return self.seconds(S.TALKING)

    @property
    def wrap_up(self) -> float:
        return self.seconds(S.WRAP_UP)

    @property
    def paused(self) -> float:
        return self.seconds(S.PAUSED)

    @property
    def pause_count(self) -> int:
        return sum(self.pauses.values())

    @property
    def over_limit_count(self) -> int:
        return sum(self.over_limit.values())

    def add(self, other: DayPresence) -> None:
        """Another day (or operator) added to this one; first and last times widen."""
        for s, t in other.time.items():
            self.time[s] = self.time.get(s, 0.0) + t
        for k, t in other.pause_time.items():
            self.pause_time[k] = self.pause_time.get(k, 0.0) + t
        for counts, more in ((self.pauses, other.pauses), (self.over_limit, other.over_limit)):
            for k, n in more.items():
                counts[k] = counts.get(k, 0) + n
        if other.first_login is not None and (
            self.first_login is None or other.first_login < self.first_login
        ):
            self.first_login = other.first_login
        if other.last_logout is not None and (
            self.last_logout is None or other.last_logout > self.last_logout
        ):
            self.last_logout = other.last_logout


def presence_by_day(
    changes: Sequence[tuple[float, OperatorState, str | None]],
    cuts: Sequence[Segment],
    until: float,
    limits: Mapping[str, float | None],
    now: float,
) -> dict[date, DayPresence]:
    """One operator's days from their changes in time order: the last one before the
    period (the state it opened with), those inside, and possibly the first one after
    (where a pause open at the end really ended). `cuts` are the kept segments in order;
    `limits` the pause reasons' limits in seconds (None: no limit). A change is a
    `StateChange` or any (at, state, reason) tuple."""
    days: dict[date, DayPresence] = {}
    starts = [c.start for c in cuts]
    n, ncuts = len(changes), len(cuts)
    for i in range(n):
        at, state, why = changes[i]
        if state is S.LOGGED_OUT:
            continue
        ends = changes[i + 1][0] if i + 1 < n else None
        stop = until if ends is None or ends > until else ends
        reason = (why or NO_REASON) if state is S.PAUSED else None
        if reason is not None and at < until:
            length = (now if ends is None else ends) - at
            _count_pause(days, cuts, starts, at, reason, length, limits)
        k = bisect_right(starts, at) - 1
        k = 0 if k < 0 else k
        while k < ncuts:
            seg = cuts[k]
            if seg.start >= stop:
                break
            lo = at if at > seg.start else seg.start
            hi = stop if stop < seg.end else seg.end
            if lo < hi:
                d = days.get(seg.day)
                if d is None:
                    d = days[seg.day] = DayPresence()
                t = hi - lo
                d.time[state] = d.time.get(state, 0.0) + t
                if reason is not None:
                    d.pause_time[reason] = d.pause_time.get(reason, 0.0) + t
                if d.first_login is None or lo < d.first_login:
                    d.first_login = lo
                if d.last_logout is None or hi > d.last_logout:
                    d.last_logout = hi
            k += 1
    return days


def _count_pause(
    days: dict[date, DayPresence],
    cuts: Sequence[Segment],
    starts: list[float],
    at: float,
    reason: str,
    length: float,
    limits: Mapping[str, float | None],
) -> None:
    k = bisect_right(starts, at) - 1
    if k < 0 or at >= cuts[k].end:
        return  # started outside the kept time: its time counts, the pause does not
    d = days.setdefault(cuts[k].day, DayPresence())
    d.pauses[reason] = d.pauses.get(reason, 0) + 1
    d.over_limit.setdefault(reason, 0)
    limit = limits.get(reason)
    if limit is not None and length > limit:
        d.over_limit[reason] += 1
