"""Queue configuration (IN-3): strategy, tiers, limits, overflow, announcements, blending.

Operators sit in a queue's tiers (0 is the highest priority). The engine offers a call
to the ready operators of the highest tier first, by the queue's strategy; when all of
them are busy or away, to the next tier, after `tier_wait` seconds per step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound._json import get

MAX_TIERS = 10


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"  # the next ready operator after the last one offered a call
    LONGEST_IDLE = "longest_idle"  # the operator free for the longest time
    FEWEST_CALLS = "fewest_calls"  # the operator who answered the fewest calls today
    LEAST_TALK = "least_talk"  # the operator with the least talk time today
    RING_ALL = "ring_all"  # every ready operator of the tier at once; the first to answer
    LINEAR = "linear"  # always in tier order from the top
    RANDOM = "random"


class OverflowKind(StrEnum):
    QUEUE = "queue"  # into another queue (its own limits apply from there)
    VOICEMAIL = "voicemail"
    MESSAGE = "message"  # a message, then hang up
    HANGUP = "hangup"


@dataclass(slots=True, frozen=True)
class Overflow:
    kind: OverflowKind = OverflowKind.MESSAGE
    target: str = ""  # the queue for QUEUE, the mailbox for VOICEMAIL, the prompt for MESSAGE

    def __post_init__(self) -> None:
        if self.kind is OverflowKind.QUEUE and not self.target:
            raise InvalidInput("an overflow to a queue needs the queue's name", "overflow")

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "target": self.target}

    @classmethod
    def from_json(cls, data: Mapping[str, object], where: str = "overflow") -> Overflow:
        kind = get(data, "kind", str, where, OverflowKind.MESSAGE.value)
        try:
            k = OverflowKind(kind)
        except ValueError:
            known = ", ".join(k.value for k in OverflowKind)
            raise InvalidInput(f"{where}.kind: unknown {kind!r} (one of {known})", where) from None
        return cls(k, get(data, "target", str, where, ""))


@dataclass(slots=True, frozen=True)
class BlendThresholds:
    """When a queue calls its outbound (blended) operators in, and the dialer slows (IN-7).

    Any one threshold reached starts blending; blending stops when no call waits."""

    waiting_calls: int | None = None  # this many calls or more waiting
    longest_wait: float | None = None  # the oldest call waited this many seconds or more
    service_level_below: float | None = None  # predicted share within target below this

    def __post_init__(self) -> None:
        if self.waiting_calls is not None and self.waiting_calls < 1:
            raise InvalidInput("blend.waiting_calls must be at least 1", "blend")
        if self.longest_wait is not None and self.longest_wait < 0:
            raise InvalidInput("blend.longest_wait cannot be negative", "blend")
        if self.service_level_below is not None and not 0 < self.service_level_below <= 1:
            raise InvalidInput("blend.service_level_below is a share between 0 and 1", "blend")

    @property
    def enabled(self) -> bool:
        return (
            self.waiting_calls is not None
            or self.longest_wait is not None
            or self.service_level_below is not None
        )

    def reached(self, waiting: int, longest: float, predicted_sl: float | None) -> str | None:
        """Which threshold is reached now (its description), or None."""
        if self.waiting_calls is not None and waiting >= self.waiting_calls:
            return f"{waiting} calls waiting (threshold {self.waiting_calls})"
        if self.longest_wait is not None and waiting and longest >= self.longest_wait:
            return f"longest wait {longest:.0f} s (threshold {self.longest_wait:g} s)"
        if (
            self.service_level_below is not None
            and waiting
            and predicted_sl is not None
            and predicted_sl < self.service_level_below
        ):
            return (
                f"predicted service level {predicted_sl:.0%}"
                f" (threshold {self.service_level_below:.0%})"
            )
        return None

    def as_json(self) -> dict[str, object]:
        return {
            "waiting_calls": self.waiting_calls,
            "longest_wait": self.longest_wait,
            "service_level_below": self.service_level_below,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object], where: str = "blend") -> BlendThresholds:
        waiting = get(data, "waiting_calls", int, where, None)
        longest = get(data, "longest_wait", float, where, None)
        sl = get(data, "service_level_below", float, where, None)
        return cls(waiting, longest, sl)


@dataclass(slots=True, frozen=True)
class QueueConfig:
    """One queue's rules. Times are seconds; None means no limit."""

    name: str
    strategy: Strategy = Strategy.ROUND_ROBIN
    target_seconds: float = 20.0  # service level: answered within this
    max_wait: float | None = None  # then the overflow
    max_length: int | None = None  # a caller beyond it goes to the overflow at once
    answer_timeout: float = 15.0  # an offer not answered in time passes to the next operator
    misses_before_pause: int = 3  # consecutive missed offers that pause the operator
    tier_wait: float = 0.0  # seconds a call waits before each next tier is tried
    retry: float = 5.0  # pause before a call is offered again to operators who missed it
    overflow: Overflow = field(default_factory=Overflow)
    wrap_up_seconds: float | None = 60.0  # after-call work ends by itself after this
    moh: str = "moh"
    announce_every: float | None = None  # position and expected wait, every N seconds
    offer_callback: bool = False  # at each announcement: "press 1 to be called back"
    blend: BlendThresholds = field(default_factory=BlendThresholds)

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 80:
            raise InvalidInput("a queue needs a name of 1 to 80 characters", "name")
        for key in ("max_wait", "announce_every", "wrap_up_seconds"):
            v = getattr(self, key)
            if v is not None and v <= 0:
                raise InvalidInput(f"{key} must be positive (or absent for no limit)", key)
        if self.max_length is not None and self.max_length < 1:
            raise InvalidInput(
                "max_length must be at least 1 (or absent for no limit)", "max_length"
            )
        if self.answer_timeout <= 0:
            raise InvalidInput("answer_timeout must be positive", "answer_timeout")
        if self.misses_before_pause < 1:
            raise InvalidInput("misses_before_pause must be at least 1", "misses_before_pause")
        if self.tier_wait < 0 or self.retry < 0 or self.target_seconds < 0:
            raise InvalidInput("tier_wait, retry and target_seconds cannot be negative", "queue")
        if 0 < self.tier_wait < 1:
            raise InvalidInput("tier_wait is 0 (all tiers at once) or at least 1 s", "tier_wait")
        if self.offer_callback and self.announce_every is None:
            raise InvalidInput(
                "offer_callback needs announce_every: the offer comes with the announcement",
                "offer_callback",
            )
        if self.overflow.kind is OverflowKind.QUEUE and self.overflow.target == self.name:
            raise InvalidInput("a queue cannot overflow into itself", "overflow")

    def as_json(self) -> dict[str, object]:
        return {
            "strategy": self.strategy.value,
            "target_seconds": self.target_seconds,
            "max_wait": self.max_wait,
            "max_length": self.max_length,
            "answer_timeout": self.answer_timeout,
            "misses_before_pause": self.misses_before_pause,
            "tier_wait": self.tier_wait,
            "retry": self.retry,
            "overflow": self.overflow.as_json(),
            "wrap_up_seconds": self.wrap_up_seconds,
            "moh": self.moh,
            "announce_every": self.announce_every,
            "offer_callback": self.offer_callback,
            "blend": self.blend.as_json(),
        }

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, object], where: str = "queue") -> QueueConfig:
        unknown = set(data) - set(cls.__dataclass_fields__) - {"name"}
        if unknown:
            raise InvalidInput(f"{where}: unknown settings {sorted(unknown)}", where)
        strategy = get(data, "strategy", str, where, Strategy.ROUND_ROBIN.value)
        try:
            strat = Strategy(strategy)
        except ValueError:
            known = ", ".join(s.value for s in Strategy)
            raise InvalidInput(
                f"{where}.strategy: unknown {strategy!r} (one of {known})", "strategy"
            ) from None
        d = cls(name)

        def opt_float(key: str, default: float | None) -> float | None:
            if key in data and data[key] is None:
                return None
            return get(data, key, float, where, default)

        max_len = data.get("max_length")
        if max_len is not None and (not isinstance(max_len, int) or isinstance(max_len, bool)):
            raise InvalidInput(f"{where}.max_length must be int, got {max_len!r}", "max_length")
        overflow = data.get("overflow")
        blend = data.get("blend")
        if overflow is not None and not isinstance(overflow, Mapping):
            raise InvalidInput(f"{where}.overflow must be an object", "overflow")
        if blend is not None and not isinstance(blend, Mapping):
            raise InvalidInput(f"{where}.blend must be an object", "blend")
        return cls(
            name=name,
            strategy=strat,
            target_seconds=get(data, "target_seconds", float, where, d.target_seconds),
            max_wait=opt_float("max_wait", d.max_wait),
            max_length=max_len,
            answer_timeout=get(data, "answer_timeout", float, where, d.answer_timeout),
            misses_before_pause=get(data, "misses_before_pause", int, where, d.misses_before_pause),
            tier_wait=get(data, "tier_wait", float, where, d.tier_wait),
            retry=get(data, "retry", float, where, d.retry),
            overflow=Overflow.from_json(overflow, f"{where}.overflow") if overflow else Overflow(),
            wrap_up_seconds=opt_float("wrap_up_seconds", d.wrap_up_seconds),
            moh=get(data, "moh", str, where, d.moh),
            announce_every=opt_float("announce_every", d.announce_every),
            offer_callback=get(data, "offer_callback", bool, where, d.offer_callback),
            blend=BlendThresholds.from_json(blend, f"{where}.blend")
            if blend
            else BlendThresholds(),
        )


@dataclass(slots=True, frozen=True)
class Membership:
    """An operator in a queue's tier (0 = highest priority)."""

    operator: str
    queue: str
    tier: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.tier < MAX_TIERS:
            raise InvalidInput(f"tier must be 0 to {MAX_TIERS - 1}", "tier")
