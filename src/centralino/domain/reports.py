"""Report periods, time buckets and filters in a company's time zone, and report rows (IN-8).

A bucket is a local wall-clock hour, day or month, keyed by the UTC instant it starts at:
on the day summer time starts (Europe/Rome, last Sunday of March) the day has 23 hour
buckets and no 02:00; on the day it ends it has 25, with 02:00 twice (+02:00, then
+01:00). Keys are UTC because two aware datetimes with the same zone compare equal when
only their `fold` differs. The figures of a row are `kpis.InboundStats`, so a report
counts a call exactly as the simulator does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from centralino.domain.call_record import CallRecord, CallResult
from centralino.domain.errors import InvalidInput
from centralino.domain.kpis import InboundStats

_STEP = timedelta(minutes=15)  # finer than any offset change, so no local hour is skipped


class BucketBy(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


class Refusal(StrEnum):
    """Why a call was refused, from the engine's `refused_reason`."""

    CLOSED = "closed"
    QUEUE_FULL = "queue_full"
    NO_SERVICE = "no_service"
    OTHER = "other"


def refusal(reason: str | None) -> Refusal:
    """The engine writes "closed", "queue NAME full (N waiting)", "no service on NUMBER"."""
    r = reason or ""
    if r == "closed":
        return Refusal.CLOSED
    if r.startswith("queue ") and " full (" in r:
        return Refusal.QUEUE_FULL
    if r.startswith("no service on"):
        return Refusal.NO_SERVICE
    return Refusal.OTHER


@dataclass(slots=True, frozen=True)
class Bucket:
    """A local hour, day or month: where it starts (UTC) and how a person reads it."""

    start: datetime  # UTC
    label: str


def bucket_of(at: datetime, tz: ZoneInfo, by: BucketBy) -> Bucket:
    """The bucket holding the instant `at` (aware)."""
    local = at.astimezone(tz)
    if by is BucketBy.HOUR:
        start = local.replace(minute=0, second=0, microsecond=0)
        return Bucket(start.astimezone(UTC), f"{start:%Y-%m-%d %H:%M} {start.isoformat()[-6:]}")
    if by is BucketBy.DAY:
        d = local.date()
        return Bucket(_midnight(d, tz), d.isoformat())
    first = local.date().replace(day=1)
    return Bucket(_midnight(first, tz), first.strftime("%Y-%m"))


def _midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tz).astimezone(UTC)


@dataclass(slots=True, frozen=True)
class Period:
    """Whole local days from `first` to `last` (both included) in the zone `tz`."""

    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInput("the period ends before it starts", "to")

    @property
    def start(self) -> datetime:
        """UTC instant of the first local midnight."""
        return _midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """UTC instant of the local midnight after the last day (excluded)."""
        return _midnight(self.last + timedelta(days=1), self.tz)

    def buckets(self, by: BucketBy) -> Iterator[Bucket]:
        """Every bucket of the period in order (a month bucket may start before it)."""
        return iter(_buckets(self, by))


@lru_cache(maxsize=32)
def _buckets(period: Period, by: BucketBy) -> tuple[Bucket, ...]:
    seen: set[datetime] = set()
    out = []
    at = period.start
    while at < period.end:
        b = bucket_of(at, period.tz, by)
        if b.start not in seen:
            seen.add(b.start)
            out.append(b)
        at += _STEP
    return tuple(out)


def parse_ranges(text: str, low: int, high: int, what: str) -> frozenset[int]:
    """ "0-4", "9,10,14-17": integers from `low` to `high`, ranges with both ends included."""
    out: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        a, sep, b = part.partition("-")
        try:
            first = int(a)
            last = int(b) if sep else first
        except ValueError:
            raise InvalidInput(f"{text!r}: expected numbers and ranges like 0-4,6", what) from None
        if not (low <= first <= last <= high):
            raise InvalidInput(f"{text!r}: each value from {low} to {high}, ranges ascending", what)
        out.update(range(first, last + 1))
    return frozenset(out)


def parse_hours(text: str) -> frozenset[int]:
    """Hours of the day as times: "9-18" is from 09:00 to 18:00, the hours 9 to 17; a
    single "9" is the hour from 09:00 to 10:00."""
    what = "hours"
    out: set[int] = set()
    for part in text.split(","):
        a, sep, b = part.strip().partition("-")
        if sep:
            try:
                first, end = int(a), int(b)
            except ValueError:
                raise InvalidInput(
                    f"{text!r}: expected hours like 9-18 or 9,14-18", "hours"
                ) from None
            if not (0 <= first < end <= 24):
                raise InvalidInput(
                    f"{text!r}: a range goes from 0 to 24, start before end", "hours"
                )
            out.update(range(first, end))
        else:
            out.update(parse_ranges(a, 0, 23, what))
    return frozenset(out)


@dataclass(slots=True, frozen=True)
class Filters:
    """Calls kept by their local arrival time: weekdays (0 Monday … 6 Sunday) and hours of
    the day (0 … 23); None keeps all."""

    weekdays: frozenset[int] | None = None
    hours: frozenset[int] | None = None

    def keeps(self, local: datetime) -> bool:
        if self.weekdays is not None and local.weekday() not in self.weekdays:
            return False
        return self.hours is None or local.hour in self.hours

    def keeps_bucket(self, b: Bucket, tz: ZoneInfo, by: BucketBy) -> bool:
        """Whether a bucket can hold kept calls (hour buckets by weekday and hour, days by
        weekday, months always)."""
        local = b.start.astimezone(tz)
        if by is BucketBy.MONTH:
            return True
        if self.weekdays is not None and local.weekday() not in self.weekdays:
            return False
        return by is BucketBy.DAY or self.hours is None or local.hour in self.hours


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


TALLY_STATS = (
    "offered", "answered", "answered_in_target", "abandoned", "unanswered", "refused",
    "wait_answered", "wait_all", "talk", "positive", "ivr",
)  # fmt: skip
TALLY = (*TALLY_STATS, "refused_closed", "refused_full")
HOUR = timedelta(hours=1)


def utc_hour(at: float) -> datetime:
    """The UTC hour holding the clock instant `at` (seconds): the key of an hourly roll-up.

    It is a local hour of every zone whose offsets are whole hours (see `whole_hours`)."""
    return datetime.fromtimestamp(at - at % 3600, UTC)


def whole_hours(period: Period) -> bool:
    """Whether every local hour of the period starts on a UTC hour (no :30 or :45 offset)."""
    return all(b.start.minute == 0 and b.start.second == 0 for b in period.buckets(BucketBy.HOUR))


def hour_ranges(period: Period, filters: Filters) -> list[tuple[datetime, datetime]]:
    """The UTC spans [start, end) of the local hours of the period that the filters keep,
    consecutive hours joined (no filters: the whole period as one span)."""
    out: list[tuple[datetime, datetime]] = []
    for b in period.buckets(BucketBy.HOUR):
        if not filters.keeps_bucket(b, period.tz, BucketBy.HOUR):
            continue
        if out and out[-1][1] == b.start:
            out[-1] = (out[-1][0], b.start + HOUR)
        else:
            out.append((b.start, b.start + HOUR))
    return out


Span = tuple[datetime, datetime]


def whole_utc_days(spans: Sequence[Span]) -> tuple[list[Span], list[Span]]:
    """The spans (UTC, on whole hours) cut into the whole UTC days they hold, which a daily
    roll-up can answer, and the hours left at their ends; together they cover the spans
    exactly once."""
    days: list[Span] = []
    hours: list[Span] = []
    for a, b in spans:
        first = a.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if first < a:
            first += timedelta(days=1)
        last = b.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if first >= last:
            hours.append((a, b))
            continue
        days.append((first, last))
        hours += [(x, y) for x, y in ((a, first), (last, b)) if x < y]
    return days, hours


@dataclass(slots=True)
class Figures:
    """One row's inbound figures: InboundStats plus the refusals by reason."""

    stats: InboundStats
    refused_closed: int = 0
    refused_full: int = 0

    def add(self, r: CallRecord) -> None:
        """Count one leg: InboundStats.add, and a refusal by its reason."""
        self.stats.add(r)
        if r.result is CallResult.REFUSED:
            kind = refusal(r.refused_reason)
            self.refused_closed += kind is Refusal.CLOSED
            self.refused_full += kind is Refusal.QUEUE_FULL

    def tally(self) -> dict[str, float | int]:
        """The additive figures by name (the columns of an hourly roll-up)."""
        out: dict[str, float | int] = {k: getattr(self.stats, k) for k in TALLY_STATS}
        out.update(refused_closed=self.refused_closed, refused_full=self.refused_full)
        return out

    @classmethod
    def of_sums(cls, target_seconds: float, sums: Sequence[float | int | None]) -> Figures:
        """Figures from tallies summed in `TALLY` order (of calls already judged against
        `target_seconds`); a missing sum is 0."""
        # TALLY_STATS is InboundStats' own field order after target and since (a report
        # reads tens of thousands of these: one positional call, no attribute loop)
        o, a, t, ab, u, r, wa, wl, tk, p, ivr, closed, full = sums
        stats = InboundStats(
            target_seconds, float("-inf"), int(o or 0), int(a or 0), int(t or 0), int(ab or 0),
            int(u or 0), int(r or 0), float(wa or 0), float(wl or 0), float(tk or 0), int(p or 0),
            int(ivr or 0),
        )  # fmt: skip
        return cls(stats, int(closed or 0), int(full or 0))

    @property
    def received(self) -> int:
        """Calls offered to a queue (refused calls are counted apart)."""
        return self.stats.offered

    @property
    def average_talk(self) -> float | None:
        return _ratio(self.stats.talk, self.stats.answered)

    @property
    def average_wait(self) -> float | None:
        return _ratio(self.stats.wait_answered, self.stats.answered)

    @property
    def service_level(self) -> float | None:
        return _ratio(self.stats.answered_in_target, self.stats.offered)

    @classmethod
    def combined(cls, parts: list[Figures]) -> Figures:
        """Several rows as one; the target stays when they all share it."""
        if len(parts) == 1:
            return parts[0]
        stats = InboundStats.combined(p.stats for p in parts)
        targets = {p.stats.target_seconds for p in parts}
        if len(targets) == 1:
            stats.target_seconds = targets.pop()
        return cls(stats, sum(p.refused_closed for p in parts), sum(p.refused_full for p in parts))


@dataclass(slots=True, frozen=True)
class SummaryRow:
    """A service (or queue) over the period."""

    name: str
    figures: Figures


@dataclass(slots=True, frozen=True)
class BucketRow:
    """A service in one hour, day or month."""

    service: str
    bucket: Bucket
    figures: Figures


@dataclass(slots=True, frozen=True)
class OperatorRow:
    """An operator's answered calls of one service."""

    service: str
    operator: str
    answered: int
    talk: float
    average_talk: float | None
    average_wait: float | None


@dataclass(slots=True, frozen=True)
class CallDetailRow:
    """One inbound call, times in the company's zone, durations in seconds."""

    arrived: datetime  # local
    service: str
    queue: str
    number: str
    result: str
    refused_reason: str | None
    wait: float | None
    talk: float
    operator: str | None
    hangup_cause: str | None
    outcome: str | None
