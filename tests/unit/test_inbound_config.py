"""Inbound configuration (IN-1..IN-4): validation, JSON round trips, errors naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.errors import InvalidInput
from centralino.domain.inbound.pauses import (
    DEFAULT_REASONS,
    MISSED_CALLS,
    PauseReason,
    ScreenBreakRule,
    reasons_by_code,
)
from centralino.domain.inbound.queues import (
    BlendThresholds,
    Membership,
    Overflow,
    OverflowKind,
    QueueConfig,
    Strategy,
)
from centralino.domain.inbound.services import (
    Action,
    ActionKind,
    IvrMenu,
    OpeningHours,
    ServiceConfig,
    render_screen_pop,
)
from centralino.domain.outbound.campaign import Window


def invalid(fn: Any, *args: Any, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        fn(*args, **kwargs)
    return info.value


# --- queues ---


def test_queue_defaults_are_the_documented_ones() -> None:
    q = QueueConfig("care")
    assert q.strategy is Strategy.ROUND_ROBIN and q.max_wait is None and q.max_length is None
    assert q.answer_timeout == 15.0 and q.misses_before_pause == 3 and q.tier_wait == 0.0
    assert q.overflow == Overflow(OverflowKind.MESSAGE) and not q.blend.enabled
    assert q.wrap_up_seconds == 60.0 and q.announce_every is None and not q.offer_callback


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"name": ""}, "name", "1 to 80"),
        ({"name": "x" * 81}, "name", "1 to 80"),
        ({"max_wait": 0.0}, "max_wait", "max_wait must be positive"),
        ({"max_wait": -5.0}, "max_wait", "max_wait must be positive"),
        ({"announce_every": 0.0}, "announce_every", "announce_every must be positive"),
        ({"wrap_up_seconds": -1.0}, "wrap_up_seconds", "wrap_up_seconds must be positive"),
        ({"max_length": 0}, "max_length", "max_length must be at least 1"),
        ({"answer_timeout": 0.0}, "answer_timeout", "answer_timeout must be positive"),
        ({"misses_before_pause": 0}, "misses_before_pause", "misses_before_pause"),
        ({"tier_wait": -1.0}, "queue", "tier_wait"),
        ({"retry": -1.0}, "queue", "retry"),
        ({"target_seconds": -1.0}, "queue", "target_seconds"),
        ({"offer_callback": True}, "offer_callback", "needs announce_every"),
        (
            {"overflow": Overflow(OverflowKind.QUEUE, "care")},
            "overflow",
            "cannot overflow into itself",
        ),
    ],
)
def test_queue_validation_names_the_field(kwargs: dict[str, Any], field: str, words: str) -> None:
    args = {"name": "care", **kwargs}
    exc = invalid(QueueConfig, **args)
    assert exc.field == field and words in exc.message


def test_overflow_to_a_queue_needs_its_name() -> None:
    exc = invalid(Overflow, OverflowKind.QUEUE)
    assert exc.field == "overflow" and "queue's name" in exc.message
    assert Overflow(OverflowKind.VOICEMAIL).target == ""  # the queue's own mailbox


def test_membership_tiers_are_bounded() -> None:
    assert Membership("ann", "care", 9).tier == 9
    for tier in (-1, 10):
        assert invalid(Membership, "ann", "care", tier).field == "tier"


def test_blend_thresholds_validate_and_say_which_one_is_reached() -> None:
    assert invalid(BlendThresholds, waiting_calls=0).field == "blend"
    assert invalid(BlendThresholds, longest_wait=-1.0).field == "blend"
    assert invalid(BlendThresholds, service_level_below=0.0).field == "blend"
    assert invalid(BlendThresholds, service_level_below=1.5).field == "blend"
    b = BlendThresholds(waiting_calls=3, longest_wait=60.0, service_level_below=0.8)
    assert b.enabled
    assert b.reached(2, 10.0, 0.9) is None
    assert b.reached(3, 0.0, None) == "3 calls waiting (threshold 3)"
    assert b.reached(1, 60.0, None) == "longest wait 60 s (threshold 60 s)"
    assert b.reached(1, 5.0, 0.5) == "predicted service level 50% (threshold 80%)"
    assert b.reached(0, 600.0, 0.1) is None  # nothing waits: nothing to blend for


FULL_QUEUE = QueueConfig(
    "care",
    strategy=Strategy.LEAST_TALK,
    target_seconds=30.0,
    max_wait=120.0,
    max_length=7,
    answer_timeout=12.0,
    misses_before_pause=2,
    tier_wait=15.0,
    retry=3.0,
    overflow=Overflow(OverflowKind.QUEUE, "backup"),
    wrap_up_seconds=None,
    moh="jazz",
    announce_every=45.0,
    offer_callback=True,
    blend=BlendThresholds(waiting_calls=4, longest_wait=30.0, service_level_below=0.7),
)


def test_queue_json_round_trip() -> None:
    data = FULL_QUEUE.as_json()
    assert data["strategy"] == "least_talk" and data["overflow"] == {
        "kind": "queue",
        "target": "backup",
    }
    assert QueueConfig.from_json("care", data) == FULL_QUEUE
    assert QueueConfig.from_json("care", QueueConfig("care").as_json()) == QueueConfig("care")
    assert QueueConfig.from_json("care", {}) == QueueConfig("care")


opt_pos = st.none() | st.floats(min_value=0.5, max_value=1e5, allow_nan=False)


@given(
    strategy=st.sampled_from(Strategy),
    max_wait=opt_pos,
    max_length=st.none() | st.integers(1, 1000),
    answer_timeout=st.floats(min_value=0.5, max_value=600),
    misses=st.integers(1, 20),
    tier_wait=st.one_of(st.just(0.0), st.floats(min_value=1, max_value=600)),
    wrap=opt_pos,
    announce=opt_pos,
    kind=st.sampled_from(OverflowKind),
    waiting=st.none() | st.integers(1, 50),
    longest=st.none() | st.floats(min_value=0, max_value=600),
    sl=st.none() | st.floats(min_value=0.01, max_value=1.0),
)
def test_any_valid_queue_survives_the_json_round_trip(
    strategy: Strategy,
    max_wait: float | None,
    max_length: int | None,
    answer_timeout: float,
    misses: int,
    tier_wait: float,
    wrap: float | None,
    announce: float | None,
    kind: OverflowKind,
    waiting: int | None,
    longest: float | None,
    sl: float | None,
) -> None:
    q = QueueConfig(
        "q",
        strategy=strategy,
        max_wait=max_wait,
        max_length=max_length,
        answer_timeout=answer_timeout,
        misses_before_pause=misses,
        tier_wait=tier_wait,
        overflow=Overflow(kind, "other" if kind is OverflowKind.QUEUE else ""),
        wrap_up_seconds=wrap,
        announce_every=announce,
        offer_callback=announce is not None,
        blend=BlendThresholds(waiting, longest, sl),
    )
    assert QueueConfig.from_json("q", q.as_json()) == q


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"strategy": "fastest"}, "queue.strategy: unknown 'fastest' (one of round_robin,"),
        ({"colour": "red", "max_wiat": 3}, "queue: unknown settings ['colour', 'max_wiat']"),
        ({"max_wait": "30"}, "queue.max_wait must be float, got '30'"),
        ({"answer_timeout": True}, "queue.answer_timeout must be float, got True"),
        ({"misses_before_pause": 2.5}, "queue.misses_before_pause must be int"),
        ({"misses_before_pause": True}, "queue.misses_before_pause must be int"),
        ({"max_length": "5"}, "queue.max_length must be int, got '5'"),
        ({"max_length": False}, "queue.max_length must be int"),
        ({"offer_callback": "yes"}, "queue.offer_callback must be bool"),
        ({"overflow": "voicemail"}, "queue.overflow must be an object"),
        ({"overflow": {"kind": "fax"}}, "queue.overflow.kind: unknown 'fax'"),
        ({"overflow": {"kind": "queue"}}, "an overflow to a queue needs the queue's name"),
        ({"blend": [1]}, "queue.blend must be an object"),
        ({"blend": {"waiting_calls": "3"}}, "queue.blend.waiting_calls must be int"),
        ({"blend": {"waiting_calls": 0}}, "blend.waiting_calls must be at least 1"),
        ({"max_wait": 0}, "max_wait must be positive"),
    ],
)
def test_queue_from_json_errors_name_the_field(data: dict[str, object], words: str) -> None:
    exc = invalid(QueueConfig.from_json, "care", data)
    assert words in exc.message


def test_null_means_no_limit_for_optional_queue_settings() -> None:
    q = QueueConfig.from_json(
        "care", {"max_wait": None, "wrap_up_seconds": None, "announce_every": None}
    )
    assert q.max_wait is None and q.wrap_up_seconds is None and q.announce_every is None
    assert QueueConfig.from_json("care", {"max_wait": 30}).max_wait == 30.0  # int as float


@pytest.mark.parametrize(
    "blend", [{"waiting_calls": -1}, {"longest_wait": -1}, {"service_level_below": -1.0}]
)
def test_a_negative_blend_threshold_is_refused_not_dropped(blend: dict[str, object]) -> None:
    invalid(QueueConfig.from_json, "care", {"blend": blend})


# --- services ---


def menu(name: str = "main", **kwargs: Any) -> IvrMenu:
    options = kwargs.pop("options", {"1": Action(ActionKind.QUEUE, "care")})
    return IvrMenu(name, f"menu_{name}", options, **kwargs)


def test_actions_need_targets_where_they_lead_somewhere() -> None:
    for kind in (ActionKind.QUEUE, ActionKind.MENU, ActionKind.OPERATOR):
        exc = invalid(Action, kind)
        assert exc.field == "target" and kind.value in exc.message
    for kind in (ActionKind.VOICEMAIL, ActionKind.MESSAGE, ActionKind.HANGUP):
        assert Action(kind).target == ""


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"name": ""}, "menus", "needs a name"),
        ({"options": {"A": Action(ActionKind.HANGUP)}}, "options", "'A' is not a keypad key"),
        ({"options": {"12": Action(ActionKind.HANGUP)}}, "options", "'12' is not a keypad key"),
        ({"options": {}}, "options", "has no options"),
        ({"timeout": 0.0}, "timeout", "timeout must be positive"),
        ({"repeats": 11}, "timeout", "repeats 0 to 10"),
        ({"repeats": -1}, "timeout", "repeats 0 to 10"),
        ({"code_digits": 0}, "code_digits", "code_digits 1 to 8"),
        ({"code_digits": 9}, "code_digits", "code_digits 1 to 8"),
    ],
)
def test_menu_validation_names_the_field(kwargs: dict[str, Any], field: str, words: str) -> None:
    name = kwargs.pop("name", "main")
    exc = invalid(menu, name, **kwargs)
    assert exc.field == field and words in exc.message


def test_star_and_hash_are_keys() -> None:
    m = menu(options={"*": Action(ActionKind.HANGUP), "#": Action(ActionKind.MENU, "main")})
    assert set(m.options) == {"*", "#"}


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"name": ""}, "name", "1 to 120 characters"),
        ({"numbers": ()}, "numbers", "at least one number"),
        ({"numbers": ("02-1234",)}, "numbers", "'02-1234' is not a phone number"),
        ({"numbers": ("+3",)}, "numbers", "is not a phone number"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone 'Mars/Olympus'"),
        ({"queue": None}, "queue", "needs a queue or an IVR menu"),
        ({"root_menu": "nope"}, "menus", "no menu named 'nope'"),
        (
            {"menus": {"main": menu(options={"1": Action(ActionKind.MENU, "ghost")})}},
            "menus",
            "menu 'main' key 1: no menu named 'ghost'",
        ),
        (
            {"menus": {"main": menu(default=Action(ActionKind.MENU, "ghost"))}},
            "menus",
            "key default: no menu named 'ghost'",
        ),
        ({"screen_pop": "https://crm/?n={number}"}, "screen_pop", "unknown field {number}"),
        ({"screen_pop": "https://crm/?n={caller"}, "screen_pop", "screen pop template"),
        ({"screen_pop": "https://crm/{0}"}, "screen_pop", "unknown field {0}"),
    ],
)
def test_service_validation_names_the_field(kwargs: dict[str, Any], field: str, words: str) -> None:
    args: dict[str, Any] = {"name": "Care", "numbers": ("+390212345",), "queue": "care", **kwargs}
    exc = invalid(ServiceConfig, **args)
    assert exc.field == field and words in exc.message


FULL_SERVICE = ServiceConfig(
    "Care & Co",
    ("+390212345", "800123456"),
    queue="care",
    timezone="Europe/Rome",
    hours=OpeningHours(
        (
            Window(frozenset(range(5)), time(9), time(13)),
            Window(frozenset(range(5)), time(14), time(18)),
        ),
        frozenset({date(2025, 12, 25), date(2026, 1, 1)}),
    ),
    closed_prompt="we_are_closed",
    welcome="welcome_care",
    moh="jazz",
    whisper="whisper_care",
    menus={
        "main": IvrMenu(
            "main",
            "menu_main",
            {
                "1": Action(ActionKind.QUEUE, "care"),
                "2": Action(ActionKind.MENU, "sales"),
                "9": Action(ActionKind.OPERATOR, "care"),
                "0": Action(ActionKind.VOICEMAIL, "box"),
            },
            timeout=6.0,
            repeats=1,
            invalid_prompt="try_again",
            default=Action(ActionKind.QUEUE, "care"),
            code_digits=4,
        ),
        "sales": IvrMenu(
            "sales",
            "menu_sales",
            {"1": Action(ActionKind.QUEUE, "sales"), "*": Action(ActionKind.MENU, "main")},
            default=Action(ActionKind.MESSAGE, "bye"),
        ),
    },
    root_menu="main",
    screen_pop="https://crm.example/pop?caller={caller}&q={queue}&id={call_id}",
)


def test_service_json_round_trip() -> None:
    data = FULL_SERVICE.as_json()
    assert data["hours"] == {
        "windows": [
            {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "13:00"},
            {"days": [0, 1, 2, 3, 4], "start": "14:00", "end": "18:00"},
        ],
        "closed_dates": ["2025-12-25", "2026-01-01"],
    }
    assert ServiceConfig.from_json("Care & Co", data) == FULL_SERVICE
    plain = ServiceConfig("Plain", ("+39021",), "care")
    assert ServiceConfig.from_json("Plain", plain.as_json()) == plain


def test_a_service_knows_every_queue_it_can_send_a_caller_to() -> None:
    assert FULL_SERVICE.queues() == {"care", "sales"}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"numbers": ["+39021"], "queue": "care", "hold": "x"}, "service: unknown settings"),
        ({"numbers": "+39021", "queue": "care"}, "service.numbers must be a list"),
        ({"numbers": ["+39021"], "queue": 5}, "service.queue must be str, got 5"),
        ({"numbers": ["+39021"], "queue": "care", "menus": ["m"]}, "service.menus must map names"),
        (
            {"numbers": ["+39021"], "root_menu": "m", "menus": {"m": {"options": {}}}},
            "menu 'm' has no options",
        ),
        (
            {"numbers": ["+39021"], "root_menu": "m", "menus": {"m": {"options": [1]}}},
            "service.menus.m.options must map keys to actions",
        ),
        (
            {"numbers": ["+39021"], "root_menu": "m", "menus": {"m": {"options": {"1": "q"}}}},
            "service.menus.m.options.1 must be an object with kind and target",
        ),
        (
            {"numbers": ["+39021"], "root_menu": "m", "menus": {"m": {"options": {"1": {}}}}},
            "service.menus.m.options.1.kind is required",
        ),
        (
            {
                "numbers": ["+39021"],
                "root_menu": "m",
                "menus": {"m": {"options": {"1": {"kind": "jump"}}}},
            },
            "service.menus.m.options.1.kind: unknown 'jump'",
        ),
        (
            {
                "numbers": ["+39021"],
                "root_menu": "m",
                "menus": {"m": {"options": {"1": {"kind": "queue"}}}},
            },
            "service.menus.m.options.1: a queue action needs a target",
        ),
        (
            {
                "numbers": ["+39021"],
                "root_menu": "m",
                "menus": {"m": {"options": {"1": {"kind": "hangup"}}, "timeout": "8"}},
            },
            "service.menus.m.timeout must be float",
        ),
        (
            {"numbers": ["+39021"], "queue": "care", "hours": {"windows": [{"days": [0]}]}},
            "service.hours.windows[0]: a window needs days",
        ),
        (
            {
                "numbers": ["+39021"],
                "queue": "care",
                "hours": {"windows": [{"days": [0], "start": "18:00", "end": "09:00"}]},
            },
            "service.hours.windows[0]: a window must end after it starts",
        ),
        (
            {"numbers": ["+39021"], "queue": "care", "hours": {"closed_dates": ["25/12/2025"]}},
            "service.hours.closed_dates[0]: '25/12/2025' is not a date (YYYY-MM-DD)",
        ),
        ({"numbers": ["+39021"], "queue": "care", "hours": "9-18"}, "service.hours must be"),
    ],
)
def test_service_from_json_errors_name_the_field(data: dict[str, object], words: str) -> None:
    exc = invalid(ServiceConfig.from_json, "Care", data)
    assert words in exc.message


ROME_OFFICE = OpeningHours(
    (Window(frozenset(range(5)), time(9), time(18)),), frozenset({date(2025, 12, 25)})
)


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2025, 12, 22, 8, 59), False),  # Monday before nine
        (datetime(2025, 12, 22, 9, 0), True),
        (datetime(2025, 12, 22, 17, 59), True),
        (datetime(2025, 12, 22, 18, 0), False),  # the end is excluded
        (datetime(2025, 12, 27, 10, 0), False),  # Saturday
        (datetime(2025, 12, 25, 10, 0), False),  # a closed date on a Thursday
    ],
)
def test_opening_hours(local: datetime, open_: bool) -> None:
    assert ROME_OFFICE.is_open(local) is open_
    assert OpeningHours().is_open(local)  # no windows: always open


def test_a_service_is_open_in_its_own_time_zone() -> None:
    svc = ServiceConfig("Care", ("+39021",), "care", "Europe/Rome", hours=ROME_OFFICE)
    summer_0730_utc = datetime(2025, 7, 1, 7, 30, tzinfo=UTC).timestamp()  # 09:30 in Rome
    winter_0830_utc = datetime(2025, 12, 22, 8, 30, tzinfo=UTC).timestamp()  # 09:30 in Rome
    winter_1730_utc = datetime(2025, 12, 22, 17, 30, tzinfo=UTC).timestamp()  # 18:30 in Rome
    assert svc.is_open(summer_0730_utc) and svc.is_open(winter_0830_utc)
    assert not svc.is_open(winter_1730_utc)


def test_screen_pop_fields_are_url_encoded_one_value_each() -> None:
    svc = ServiceConfig(
        "Care & Co",
        ("+39021",),
        "care",
        screen_pop="https://crm/p?c={caller}&s={service}&q={queue}&id={call_id}",
    )
    url = svc.pop_url("+39 02 1234", "vip/gold", 42)
    assert url == "https://crm/p?c=%2B39%2002%201234&s=Care%20%26%20Co&q=vip%2Fgold&id=42"
    assert ServiceConfig("Care", ("+39021",), "care").pop_url("+39", "care", 1) is None
    assert render_screen_pop("{caller}", "a&b=c", "s", "q", 1) == "a%26b%3Dc"


# --- pause reasons and the screen break ---


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "x" * 33}, "code"),
        ({"code": "coffee-break"}, "code"),
        ({"code": "coffee break"}, "code"),
        ({"label": ""}, "label"),
        ({"limit_seconds": 0.0}, "limit_seconds"),
        ({"limit_seconds": -60.0}, "limit_seconds"),
    ],
)
def test_pause_reason_validation_names_the_field(kwargs: dict[str, Any], field: str) -> None:
    args: dict[str, Any] = {"code": "coffee", "label": "Coffee", **kwargs}
    assert invalid(PauseReason, **args).field == field


def test_pause_reason_json_round_trip_and_errors() -> None:
    for r in (*DEFAULT_REASONS, PauseReason("x_1", "X", 90.5, screen_break=True)):
        assert PauseReason.from_json(r.as_json()) == r
    assert PauseReason.from_json({"code": "lunch", "label": "Lunch", "limit_seconds": 3600}) == (
        PauseReason("lunch", "Lunch", 3600.0)
    )
    exc = invalid(PauseReason.from_json, {"code": "lunch", "label": "L", "limit_seconds": "1h"})
    assert "pause_reason.limit_seconds must be float, got '1h'" in exc.message
    exc = invalid(PauseReason.from_json, {"code": "lunch", "label": "L", "screen_break": 1})
    assert "pause_reason.screen_break must be bool" in exc.message
    assert invalid(PauseReason.from_json, {"label": "Lunch"}).field == "code"


def test_reasons_by_code_refuses_duplicates_and_always_knows_missed_calls() -> None:
    by = reasons_by_code([PauseReason("lunch", "Lunch")])
    assert set(by) == {"lunch", MISSED_CALLS}
    exc = invalid(reasons_by_code, [PauseReason("lunch", "Lunch"), PauseReason("lunch", "L2")])
    assert "'lunch' defined twice" in exc.message
    defaults = reasons_by_code(DEFAULT_REASONS)
    assert defaults["screen_break"].screen_break and defaults["screen_break"].limit_seconds == 900
    assert defaults["training"].limit_seconds is None


def test_the_626_rule_is_fifteen_minutes_every_two_hours_with_a_reminder() -> None:
    rule = ScreenBreakRule()
    assert rule.due_at(1000.0) == 1000.0 + 7200.0
    assert rule.remind_at(1000.0) == 1000.0 + 7200.0 - 300.0
    assert rule.counts_as_break(900.0) and not rule.counts_as_break(899.0)
    for kwargs in ({"work_minutes": 0}, {"break_minutes": -1}, {"remind_before_minutes": -1}):
        assert invalid(ScreenBreakRule, **kwargs).field == "screen"
