"""Services (IN-1, IN-2): what an inbound number leads to.

Opening hours in the service's time zone with closed days; a welcome prompt; music on
hold; a whisper naming the service to the operator; an IVR tree of DTMF menus whose
options lead to queues, other menus, voicemail, a message, hang-up or an operator
chosen by their keypad code; and a screen-pop URL for the operator's CRM.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound._json import get, need
from centralino.domain.outbound.campaign import Window

KEYS = frozenset("0123456789*#")
POP_FIELDS = frozenset({"caller", "service", "queue", "call_id"})
MAX_MENU_DEPTH = 20


class ActionKind(StrEnum):
    QUEUE = "queue"
    MENU = "menu"
    VOICEMAIL = "voicemail"
    MESSAGE = "message"  # play the prompt in `target`, then hang up
    HANGUP = "hangup"
    OPERATOR = "operator"  # the caller keys an operator's code; `target` is the fallback queue


@dataclass(slots=True, frozen=True)
class Action:
    kind: ActionKind
    target: str = ""

    def __post_init__(self) -> None:
        if (
            self.kind in (ActionKind.QUEUE, ActionKind.MENU, ActionKind.OPERATOR)
            and not self.target
        ):
            raise InvalidInput(f"a {self.kind.value} action needs a target", "target")

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind.value, "target": self.target}

    @classmethod
    def from_json(cls, data: object, where: str) -> Action:
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{where} must be an object with kind and target", where)
        kind = need(data, "kind", str, where)
        try:
            k = ActionKind(kind)
        except ValueError:
            known = ", ".join(a.value for a in ActionKind)
            raise InvalidInput(f"{where}.kind: unknown {kind!r} (one of {known})", where) from None
        try:
            return cls(k, get(data, "target", str, where, ""))
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc.message}", where) from None


@dataclass(slots=True, frozen=True)
class IvrMenu:
    """One DTMF menu: the prompt, then a key within `timeout` seconds.

    An invalid key plays `invalid_prompt` and the menu again; no key plays the menu
    again; after `repeats` replays the caller goes to `default` (or is hung up)."""

    name: str
    prompt: str
    options: Mapping[str, Action]
    timeout: float = 8.0
    repeats: int = 2
    invalid_prompt: str = "ivr_invalid"
    default: Action | None = None
    code_digits: int = 3  # for an OPERATOR option: how many digits the code has

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidInput("a menu needs a name", "menus")
        bad = [k for k in self.options if k not in KEYS]
        if bad:
            raise InvalidInput(f"menu {self.name!r}: {bad[0]!r} is not a keypad key", "options")
        if not self.options:
            raise InvalidInput(f"menu {self.name!r} has no options", "options")
        if self.timeout <= 0 or not 0 <= self.repeats <= 10:
            raise InvalidInput(
                f"menu {self.name!r}: timeout must be positive, repeats 0 to 10", "timeout"
            )
        if not 1 <= self.code_digits <= 8:
            raise InvalidInput(f"menu {self.name!r}: code_digits 1 to 8", "code_digits")

    def as_json(self) -> dict[str, object]:
        return {
            "prompt": self.prompt,
            "options": {k: a.as_json() for k, a in sorted(self.options.items())},
            "timeout": self.timeout,
            "repeats": self.repeats,
            "invalid_prompt": self.invalid_prompt,
            "default": self.default.as_json() if self.default else None,
            "code_digits": self.code_digits,
        }

    @classmethod
    def from_json(cls, name: str, data: object, where: str) -> IvrMenu:
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{where} must be an object", where)
        opts = data.get("options")
        if not isinstance(opts, Mapping):
            raise InvalidInput(f"{where}.options must map keys to actions", where)
        default = data.get("default")
        return cls(
            name=name,
            prompt=get(data, "prompt", str, where, f"menu_{name}"),
            options={str(k): Action.from_json(v, f"{where}.options.{k}") for k, v in opts.items()},
            timeout=get(data, "timeout", float, where, 8.0),
            repeats=get(data, "repeats", int, where, 2),
            invalid_prompt=get(data, "invalid_prompt", str, where, "ivr_invalid"),
            default=Action.from_json(default, f"{where}.default") if default else None,
            code_digits=get(data, "code_digits", int, where, 3),
        )


@dataclass(slots=True, frozen=True)
class OpeningHours:
    """Open on the windows' weekdays and hours (local time), except on closed dates."""

    windows: tuple[Window, ...] = ()  # empty: always open
    closed_dates: frozenset[date] = frozenset()

    def is_open(self, local: datetime) -> bool:
        if local.date() in self.closed_dates:
            return False
        if not self.windows:
            return True
        t, wd = local.time(), local.weekday()
        return any(wd in w.days and w.start <= t < w.end for w in self.windows)

    def as_json(self) -> dict[str, object]:
        return {
            "windows": [w.as_json() for w in self.windows],
            "closed_dates": sorted(d.isoformat() for d in self.closed_dates),
        }

    @classmethod
    def from_json(cls, data: object, where: str = "hours") -> OpeningHours:
        if not isinstance(data, Mapping):
            raise InvalidInput(f"{where} must be an object with windows and closed_dates", where)
        wins = data.get("windows") or []
        dates = data.get("closed_dates") or []
        if not isinstance(wins, list) or not isinstance(dates, list):
            raise InvalidInput(f"{where}: windows and closed_dates must be lists", where)
        windows = []
        for i, w in enumerate(wins):
            if not isinstance(w, dict):
                raise InvalidInput(f"{where}.windows[{i}] must be an object", where)
            try:
                windows.append(Window.from_json(w))
            except InvalidInput as exc:
                raise InvalidInput(f"{where}.windows[{i}]: {exc.message}", where) from None
        closed = set()
        for i, d in enumerate(dates):
            try:
                closed.add(date.fromisoformat(str(d)))
            except ValueError:
                raise InvalidInput(
                    f"{where}.closed_dates[{i}]: {d!r} is not a date (YYYY-MM-DD)", where
                ) from None
        return cls(tuple(windows), frozenset(closed))


@dataclass(slots=True, frozen=True)
class ServiceConfig:
    """An inbound service. With no menus, callers go straight to `queue`."""

    name: str
    numbers: tuple[str, ...]
    queue: str | None = None  # where callers go with no IVR (and the IVR's usual fallback)
    timezone: str = "Europe/Rome"
    hours: OpeningHours = field(default_factory=OpeningHours)
    closed_prompt: str = "closed"
    welcome: str | None = None
    moh: str = "moh"
    whisper: str | None = None  # played to the operator before the caller is connected
    menus: Mapping[str, IvrMenu] = field(default_factory=dict)
    root_menu: str | None = None
    screen_pop: str | None = None  # URL template: {caller} {service} {queue} {call_id}

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 120:
            raise InvalidInput("a service needs a name of 1 to 120 characters", "name")
        if not self.numbers:
            raise InvalidInput(f"service {self.name!r} needs at least one number", "numbers")
        for n in self.numbers:
            if not re.fullmatch(r"\+?[0-9]{2,20}", n):
                raise InvalidInput(f"service {self.name!r}: {n!r} is not a phone number", "numbers")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"unknown time zone {self.timezone!r}", "timezone") from None
        if self.root_menu is None and self.queue is None:
            raise InvalidInput(f"service {self.name!r} needs a queue or an IVR menu", "queue")
        if self.root_menu is not None and self.root_menu not in self.menus:
            raise InvalidInput(f"service {self.name!r}: no menu named {self.root_menu!r}", "menus")
        for m in self.menus.values():
            for key, action in (*m.options.items(), ("default", m.default)):
                if (
                    action is not None
                    and action.kind is ActionKind.MENU
                    and action.target not in self.menus
                ):
                    raise InvalidInput(
                        f"menu {m.name!r} key {key}: no menu named {action.target!r}", "menus"
                    )
        if self.screen_pop is not None:
            check_screen_pop(self.screen_pop)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, now: float) -> bool:
        return self.hours.is_open(datetime.fromtimestamp(now, self.zone()))

    def queues(self) -> set[str]:
        """Every queue the service can send a caller to."""
        out = {self.queue} if self.queue else set()
        for m in self.menus.values():
            for a in (*m.options.values(), m.default):
                if a is not None and a.kind in (ActionKind.QUEUE, ActionKind.OPERATOR):
                    out.add(a.target)
        return out

    def pop_url(self, caller: str, queue: str, call_id: int) -> str | None:
        if self.screen_pop is None:
            return None
        return render_screen_pop(self.screen_pop, caller, self.name, queue, call_id)

    def as_json(self) -> dict[str, object]:
        return {
            "numbers": list(self.numbers),
            "queue": self.queue,
            "timezone": self.timezone,
            "hours": self.hours.as_json(),
            "closed_prompt": self.closed_prompt,
            "welcome": self.welcome,
            "moh": self.moh,
            "whisper": self.whisper,
            "menus": {n: m.as_json() for n, m in sorted(self.menus.items())},
            "root_menu": self.root_menu,
            "screen_pop": self.screen_pop,
        }

    @classmethod
    def from_json(
        cls, name: str, data: Mapping[str, object], where: str = "service"
    ) -> ServiceConfig:
        unknown = set(data) - set(cls.__dataclass_fields__) - {"name"}
        if unknown:
            raise InvalidInput(f"{where}: unknown settings {sorted(unknown)}", where)
        numbers = data.get("numbers") or []
        if not isinstance(numbers, Sequence) or isinstance(numbers, str):
            raise InvalidInput(f"{where}.numbers must be a list of numbers", "numbers")
        menus = data.get("menus") or {}
        if not isinstance(menus, Mapping):
            raise InvalidInput(f"{where}.menus must map names to menus", "menus")
        hours = data.get("hours")
        return cls(
            name=name,
            numbers=tuple(str(n) for n in numbers),
            queue=get(data, "queue", str, where, None),
            timezone=get(data, "timezone", str, where, "Europe/Rome"),
            hours=OpeningHours.from_json(hours, f"{where}.hours") if hours else OpeningHours(),
            closed_prompt=get(data, "closed_prompt", str, where, "closed"),
            welcome=get(data, "welcome", str, where, None),
            moh=get(data, "moh", str, where, "moh"),
            whisper=get(data, "whisper", str, where, None),
            menus={
                str(n): IvrMenu.from_json(str(n), m, f"{where}.menus.{n}") for n, m in menus.items()
            },
            root_menu=get(data, "root_menu", str, where, None),
            screen_pop=get(data, "screen_pop", str, where, None),
        )


def check_screen_pop(template: str) -> None:
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise InvalidInput(f"screen pop template: {exc}", "screen_pop") from None
    unknown = names - POP_FIELDS
    if unknown:
        raise InvalidInput(
            f"screen pop template: unknown field {{{sorted(unknown)[0]}}}"
            f" (use {', '.join('{' + f + '}' for f in sorted(POP_FIELDS))})",
            "screen_pop",
        )


def render_screen_pop(template: str, caller: str, service: str, queue: str, call_id: int) -> str:
    """The URL with each field URL-encoded, so a name with spaces or `&` stays one value."""
    return template.format(
        caller=quote(caller, safe=""),  # a "+" would read as a space in a query string
        service=quote(service, safe=""),
        queue=quote(queue, safe=""),
        call_id=call_id,
    )
