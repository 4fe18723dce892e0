"""Scenario files (TOML): a whole center in one file, checked completely before anything runs.

An invalid file gives one `ScenarioError` naming the file, the key and the reason.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.queues import QueueConfig
from centralino.sim.distributions import Duration, Patience

BUILTIN_DIR = Path(__file__).parent / "scenarios"
Name = Annotated[str, Field(min_length=1, max_length=80)]


class ScenarioError(Exception):
    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Center(_M):
    name: Name = "Simulated center"
    date: dt.date = dt.date(2026, 11, 23)
    timezone: str = "Europe/Rome"
    open: dt.time = dt.time(9, 0)
    hours: float = Field(default=8.0, gt=0, le=24 * 31)  # up to a month, for what-if planning
    seed: int = 1
    warmup_minutes: float = Field(default=0.0, ge=0)
    drain_minutes: float = Field(default=60.0, ge=0)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    def start(self) -> float:
        return dt.datetime.combine(self.date, self.open, ZoneInfo(self.timezone)).timestamp()


class Group(_M):
    name: Name
    parent: str | None = None


class Pauses(_M):
    count: int = Field(default=0, ge=0, le=20)
    minutes: float = Field(default=10.0, gt=0)


class Team(_M):
    """A block of identical bot operators."""

    name: Name
    group: str | None = None
    count: int = Field(ge=1, le=20_000)
    queues: list[str] = []
    tiers: dict[str, int] = {}  # queue -> tier (0, the default, is the highest priority)
    campaign: str | None = None
    wrap_up: Duration = 0.0
    pauses: Pauses = Pauses()
    start_offset_minutes: float = Field(default=0.0, ge=0)
    hours: float | None = Field(default=None, gt=0, le=24 * 31)


class Queue(_M):
    """A queue; every key but `name` is a queue setting of the product (see QueueConfig)."""

    name: Name
    target_seconds: float = Field(default=20.0, ge=0)
    strategy: str = "round_robin"
    max_wait: float | None = Field(default=None, gt=0)
    max_length: int | None = Field(default=None, ge=1)
    answer_timeout: float = Field(default=15.0, gt=0)
    misses_before_pause: int = Field(default=3, ge=1)
    tier_wait: float = Field(default=0.0, ge=0)
    retry: float = Field(default=5.0, ge=0)
    overflow: dict[str, str] | None = None
    wrap_up_seconds: float | None = Field(default=None, gt=0)  # bots end their own wrap-up
    announce_every: float | None = Field(default=None, gt=0)
    offer_callback: bool = False
    blend: dict[str, int | float] | None = None

    def config(self) -> QueueConfig:
        data = self.model_dump(exclude={"name"}, exclude_none=True)
        data.setdefault("wrap_up_seconds", None)
        return QueueConfig.from_json(self.name, data)


class IvrChoice(_M):
    key: Annotated[str, Field(pattern=r"^[0-9*#]$")]
    queue: str
    share: float = Field(ge=0, le=1)


class Arrivals(_M):
    """Poisson arrivals: a flat rate per hour, or one rate per opening hour (`profile`)."""

    per_hour: float | None = Field(default=None, ge=0)
    profile: list[Annotated[float, Field(ge=0)]] | None = None

    def rate_at_hour(self, hour: int) -> float:
        if self.profile is not None:
            return self.profile[hour] if hour < len(self.profile) else 0.0
        return self.per_hour or 0.0


class Service(_M):
    name: Name
    number: Annotated[str, Field(min_length=2, max_length=20)]
    queue: str
    welcome_seconds: float = Field(default=0.0, ge=0)
    ivr: list[IvrChoice] = []
    arrivals: Arrivals
    talk: Duration
    patience: Patience = "infinite"
    positive: float = Field(default=0.0, ge=0, le=1)


class Campaign(_M):
    name: Name
    mode: Literal["power", "predictive", "preview"] = "power"
    preview_seconds: Duration = 6.0  # preview: how long the operator reads the record
    ratio: float = Field(default=1.0, gt=0, le=10)  # power: lines per free operator
    abandon_cap: float = Field(default=0.03, gt=0, le=0.5)  # predictive: share of answered
    population: str
    records: int = Field(ge=1, le=10_000_000)
    caller_id: str = "+390000000000"
    ring_timeout: float = Field(default=25.0, gt=0)
    abandon_after: float = Field(default=2.0, gt=0)


class Population(_M):
    """Outbound customers: shares of each result, ring, talk and patience after answering."""

    name: Name
    answered: float = Field(ge=0, le=1)
    busy: float = Field(default=0.0, ge=0, le=1)
    no_answer: float = Field(default=0.0, ge=0, le=1)
    invalid: float = Field(default=0.0, ge=0, le=1)
    failed: float = Field(default=0.0, ge=0, le=1)
    machine: float = Field(default=0.0, ge=0, le=1)
    fax: float = Field(default=0.0, ge=0, le=1)
    ring: Duration = 8.0
    talk: Duration
    patience: Patience = 4.0
    positive: float = Field(default=0.0, ge=0, le=1)

    def shares(self) -> list[tuple[str, float]]:
        return [
            ("answered", self.answered), ("busy", self.busy), ("no_answer", self.no_answer),
            ("invalid", self.invalid), ("failed", self.failed), ("machine", self.machine),
            ("fax", self.fax),
        ]  # fmt: skip


class Scenario(_M):
    center: Center = Center()
    groups: list[Group] = []
    queues: list[Queue] = []
    services: list[Service] = []
    populations: list[Population] = []
    campaigns: list[Campaign] = []
    teams: list[Team] = Field(min_length=1)

    def end(self) -> float:
        return self.center.start() + self.center.hours * 3600


_BRANCH_MARKERS = {"float", "int", "literal['infinite']"}


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("exponential", "lognormal", "uniform", "fixed", "float", "int"):
            continue  # a union branch, not a key of the file
        elif part.startswith(("function-", "literal[", "tagged-union[")):
            continue
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


def _check_references(sc: Scenario) -> None:
    """Cross-references and sums; raises (key, reason) on the first problem."""

    def unique(items: list[str], key: str) -> set[str]:
        seen: set[str] = set()
        for i, n in enumerate(items):
            if n in seen:
                raise _Bad(f"{key}[{i}].name", f"duplicate name {n!r}")
            seen.add(n)
        return seen

    for i, q in enumerate(sc.queues):
        try:
            cfg = q.config()
        except InvalidInput as exc:
            raise _Bad(f"queues[{i}]", exc.message) from None
        o = cfg.overflow
        if o.kind.value == "queue" and o.target not in {x.name for x in sc.queues}:
            raise _Bad(f"queues[{i}].overflow.target", f"no queue named {o.target!r}")
    groups = unique([g.name for g in sc.groups], "groups")
    queues = unique([q.name for q in sc.queues], "queues")
    pops = unique([p.name for p in sc.populations], "populations")
    camps = unique([c.name for c in sc.campaigns], "campaigns")
    unique([t.name for t in sc.teams], "teams")
    unique([s.name for s in sc.services], "services")
    numbers: set[str] = set()
    for i, g in enumerate(sc.groups):
        if g.parent is not None and g.parent not in groups:
            raise _Bad(f"groups[{i}].parent", f"no group named {g.parent!r}")
    hours = math.ceil(sc.center.hours)
    for i, s in enumerate(sc.services):
        if s.number in numbers:
            raise _Bad(f"services[{i}].number", f"number {s.number} used twice")
        numbers.add(s.number)
        if s.queue not in queues:
            raise _Bad(f"services[{i}].queue", f"no queue named {s.queue!r}")
        for j, c in enumerate(s.ivr):
            if c.queue not in queues:
                raise _Bad(f"services[{i}].ivr[{j}].queue", f"no queue named {c.queue!r}")
        if s.ivr and sum(c.share for c in s.ivr) > 1.0 + 1e-9:
            raise _Bad(f"services[{i}].ivr", "the shares add up to more than 1")
        a = s.arrivals
        if (a.per_hour is None) == (a.profile is None):
            raise _Bad(f"services[{i}].arrivals", "give either per_hour or profile")
        if a.profile is not None and len(a.profile) != hours:
            raise _Bad(
                f"services[{i}].arrivals.profile",
                f"needs one rate per opening hour: {hours} values, got {len(a.profile)}",
            )
    for i, p in enumerate(sc.populations):
        total = sum(v for _, v in p.shares())
        if abs(total - 1.0) > 1e-6:
            raise _Bad(f"populations[{i}]", f"the result shares add up to {total:g}, not 1")
    for i, c in enumerate(sc.campaigns):
        if c.population not in pops:
            raise _Bad(f"campaigns[{i}].population", f"no population named {c.population!r}")
    for i, t in enumerate(sc.teams):
        if t.group is not None and t.group not in groups:
            raise _Bad(f"teams[{i}].group", f"no group named {t.group!r}")
        for j, q in enumerate(t.queues):
            if q not in queues:
                raise _Bad(f"teams[{i}].queues[{j}]", f"no queue named {q!r}")
        for q, tier in t.tiers.items():
            if q not in t.queues:
                raise _Bad(f"teams[{i}].tiers.{q}", "not one of the team's queues")
            if not 0 <= tier <= 9:
                raise _Bad(f"teams[{i}].tiers.{q}", "a tier is 0 (highest) to 9")
        if t.campaign is not None and t.campaign not in camps:
            raise _Bad(f"teams[{i}].campaign", f"no campaign named {t.campaign!r}")
        if not t.queues and t.campaign is None:
            raise _Bad(f"teams[{i}]", "a team needs queues, a campaign or both")


class _Bad(Exception):
    def __init__(self, key: str, reason: str) -> None:
        self.key, self.reason = key, reason


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(file, "(syntax)", str(exc)) from None
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A duration may be a number or a distribution: report the branch the user meant.
        specific = [e for e in errors if not _BRANCH_MARKERS & {str(p) for p in e["loc"]}]
        err = (specific or errors)[0]
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            reason = "unknown key"
        raise ScenarioError(file, _loc(tuple(err["loc"])), reason) from None
    try:
        _check_references(sc)
    except _Bad as bad:
        raise ScenarioError(file, bad.key, bad.reason) from None
    return sc


def builtin_scenarios() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario file, or a built-in scenario by name (`demo`, `center-1000`, ...)."""
    path = Path(name_or_path)
    if not path.exists() and not path.suffix and (BUILTIN_DIR / f"{path}.toml").exists():
        path = BUILTIN_DIR / f"{path}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(builtin_scenarios())
        raise ScenarioError(str(path), "(file)", f"no such file (built-in: {known})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "(file)", f"cannot read: {exc}") from None
    return parse_scenario(text, str(path))
