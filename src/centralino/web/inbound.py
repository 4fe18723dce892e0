"""The inbound page: callers being routed live (queues, operators) and the last finished
inbound calls with their phases, limited to the queues and groups the viewer may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from centralino.domain.access import Place, Principal
from centralino.domain.roles import Permission
from centralino.services import calls, queues
from centralino.services.context import ServiceContext
from centralino.store.repos.calls import CallRow
from centralino.store.repos.queues import QueueRow
from centralino.web.i18n import N_, local_time, translations
from centralino.web.render import ctx_of, locale_of, page_identity, render, require, user_timezone

if TYPE_CHECKING:
    from centralino.engine.center import Center
    from centralino.live import LiveCenter

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {
    "/inbound": P.SERVICES_READ.value,
    "/inbound/live.json": P.SERVICES_READ.value,
}

LAST_CALLS = 20
CALLS_SINCE = timedelta(hours=24)
CALLS_BATCH = 200  # calls are read newest batch first until enough inbound ones are found
CALLS_BATCHES = 5
MAX_QUEUES = 500

# The operator states counted per queue, in the order of the columns.
COUNTED = ("ready", "ringing", "talking", "wrap_up", "paused")
# Labels are msgids, translated with the viewer's catalog.
STATE_LABELS = {
    "logged_out": N_("Logged out"),
    "ready": N_("Ready"),
    "ringing": N_("Ringing"),
    "reserved": N_("Connecting"),
    "talking": N_("Talking"),
    "wrap_up": N_("Wrap-up"),
    "paused": N_("Paused"),
}
STRATEGY_LABELS = {
    "round_robin": N_("Round robin"),
    "longest_idle": N_("Longest idle"),
    "fewest_calls": N_("Fewest calls"),
    "least_talk": N_("Least talk time"),
    "ring_all": N_("Ring all"),
    "linear": N_("Linear"),
    "random": N_("Random"),
}
RESULT_LABELS = {
    "talked": N_("Answered"),
    "abandoned": N_("Abandoned"),
    "busy": N_("Busy"),
    "no_answer": N_("No answer"),
    "invalid_number": N_("Invalid number"),
    "failed": N_("Failed"),
    "machine": N_("Answering machine"),
    "fax": N_("Fax"),
    "refused": N_("Refused"),
    "timed_out": N_("Timed out"),
    "voicemail": N_("Voicemail"),
    "callback_requested": N_("Callback requested"),
    "message": N_("Message"),
    "unfinished": N_("Unfinished"),
}
PHASE_LABELS = {
    "arrival": N_("Arrival"),
    "closed": N_("Closed"),
    "welcome": N_("Welcome"),
    "ivr": N_("IVR menu"),
    "message": N_("Message"),
    "operator_code": N_("Operator code"),
    "voicemail": N_("Voicemail"),
    "queue": N_("Queued"),
    "queue_full": N_("Queue full"),
    "cycle": N_("New offer round"),
    "offer": N_("Offered"),
    "answered": N_("Answered"),
    "missed": N_("Missed"),
    "withdrawn": N_("Offer withdrawn"),
    "operator_lost": N_("Operator's phone lost"),
    "overflow": N_("Overflow"),
    "announce": N_("Announcement"),
    "callback_request": N_("Callback requested"),
    "pickup": N_("Pickup"),
    "hold": N_("Hold"),
    "unhold": N_("Off hold"),
    "consult": N_("Consultation"),
    "consult_failed": N_("Consultation failed"),
    "transfer": N_("Transfer"),
    "conference": N_("Conference"),
    "abandoned_ivr": N_("Abandoned in the IVR"),
    "abandoned_queue": N_("Abandoned in the queue"),
    "operator_hangup": N_("Hung up by the operator"),
    "notes": N_("Operator's notes"),
    "recording_started": N_("Recording started"),
    "recording_stopped": N_("Recording stopped"),
    "hangup": N_("Hang-up"),
    "closure": N_("Closure"),
}
# The engine says why a queue blends in English; these put it in the viewer's language.
BLEND_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?P<n>\d+) calls waiting \(threshold (?P<t>\d+)\)"),
        N_("%(n)s calls waiting (threshold %(t)s)"),
    ),
    (
        re.compile(r"longest wait (?P<n>\d+) s \(threshold (?P<t>[\d.]+) s\)"),
        N_("longest wait %(n)s s (threshold %(t)s s)"),
    ),
    (
        re.compile(r"predicted service level (?P<n>\d+%) \(threshold (?P<t>\d+%)\)"),
        N_("predicted service level %(n)s (threshold %(t)s)"),
    ),
)


def clock_text(seconds: float | None) -> str:
    """A duration as mm:ss (h:mm:ss from an hour on); empty when unknown."""
    if seconds is None:
        return ""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


def _blend_reason(text: str, gettext: Callable[[str], str]) -> str:
    for pattern, msgid in BLEND_REASONS:
        m = pattern.fullmatch(text)
        if m:
            return gettext(msgid) % m.groupdict()
    return text


def live_of(request: Request) -> LiveCenter | None:
    """The server's live engine; absent when the dialer setting is off."""
    live: LiveCenter | None = getattr(request.app.state, "live", None)
    return live


# --- the figures, shared by the page and its JSON ---


def _queue_rows(
    ctx: ServiceContext,
    visible: list[QueueRow],
    centers: dict[int, Center | None],
    gettext: Callable[[str], str],
) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        names = {g: getattr(uow.groups.get(g), "name", "?") for g in {q.group_id for q in visible}}
    status: dict[tuple[int, str], dict[str, Any]] = {}
    for company_id, center in centers.items():
        if center is not None:
            for found in center.queue_status():
                status[(company_id, str(found["queue"]))] = dict(found)
    rows = []
    for q in visible:
        s = status.get((q.company_id, q.name))
        strategy = q.config.strategy.value if s is None else str(s["strategy"])
        label = gettext(STRATEGY_LABELS.get(strategy, strategy))
        row: dict[str, Any] = {
            "id": q.id, "queue": q.name, "group": names[q.group_id], "live": s is not None,
            "strategy": strategy, "strategy_label": label,
        }  # fmt: skip
        if s is None:
            row.update(
                waiting=None, longest_wait=None, ringing=None, tiers=None,
                operators=dict.fromkeys(COUNTED), blending=False, blend_reason="",
            )  # fmt: skip
        else:
            ops: dict[str, int] = s["operators"]
            blending = bool(s["blending"])
            row.update(
                waiting=s["waiting"], longest_wait=round(float(s["longest_wait"]), 1),
                ringing=s["ringing"], tiers=s["tiers"],
                operators={k: ops.get(k, 0) for k in COUNTED}, blending=blending,
                blend_reason=_blend_reason(str(s["blend_reason"]), gettext) if blending else "",
            )  # fmt: skip
        row["longest_wait_text"] = clock_text(row["longest_wait"])
        rows.append(row)
    return rows


def _operator_rows(
    ctx: ServiceContext,
    principal: Principal,
    visible: list[QueueRow],
    centers: dict[int, Center | None],
    gettext: Callable[[str], str],
) -> list[dict[str, Any]]:
    """Operators in a visible queue whose own group the viewer may see; of their queues
    and calls only the visible ones are named."""
    queue_names: dict[int, set[str]] = {}
    for q in visible:
        queue_names.setdefault(q.company_id, set()).add(q.name)
    found: list[tuple[int, Center, dict[str, Any]]] = []
    for company_id, center in centers.items():
        if center is None:
            continue
        for status in center.operator_status():
            op: dict[str, Any] = dict(status)
            theirs = [n for n in op["queues"] if n in queue_names[company_id]]
            op_id = str(op["operator"])
            if theirs and op_id.startswith("user:") and op_id[5:].isdigit():
                found.append((int(op_id[5:]), center, {**op, "queues": theirs}))
    with ctx.uow() as uow:
        people = {uid: u for uid in {f[0] for f in found} if (u := uow.users.get(uid))}
    rows = []
    for uid, center, op in found:
        u = people.get(uid)
        if u is None or not principal.can(P.SERVICES_READ, Place(u.company_id, u.group_path)):
            continue
        state = str(op["state"])
        reason = op["reason"]
        if reason:
            pause = center.pause_reasons.get(str(reason))
            reason = pause.label if pause else reason
        call: dict[str, Any] | None = op["call"]
        shown = None
        if call is not None:
            if call["queue"] in op["queues"]:
                shown = {"number": call["number"], "service": call["service"] or call["queue"]}
            elif op["campaign"] is not None and call["queue"] == op["campaign"]:
                shown = {"number": "", "service": gettext(N_("outbound call"))}
            else:  # a queue the viewer does not see: no details
                shown = {"number": "", "service": gettext(N_("other call"))}
        now = center.clock.now()
        rows.append({
            "user_id": uid, "username": u.username, "name": u.display_name, "state": state,
            "state_label": gettext(STATE_LABELS.get(state, state)),
            "in_state": round(max(0.0, now - float(op["since"])), 1),
            "reason": reason or "", "queues": op["queues"], "call": shown,
        })  # fmt: skip
    rows.sort(key=lambda r: r["username"])
    for r in rows:
        r["in_state_text"] = clock_text(r["in_state"])
    return rows


def last_inbound_calls(
    ctx: ServiceContext, principal: Principal, n: int = LAST_CALLS
) -> list[CallRow]:
    """The newest inbound calls of the last day the viewer may read, newest first.

    The calls service lists every direction oldest first, so batches are read from the
    end until enough inbound calls are found."""
    since = ctx.now() - CALLS_SINCE
    end = calls.list_calls(ctx, principal, 1, 0, since=since).total
    found: list[CallRow] = []
    for _ in range(CALLS_BATCHES):
        if end <= 0 or len(found) >= n:
            break
        start = max(0, end - CALLS_BATCH)
        page = calls.list_calls(ctx, principal, end - start, start, since=since)
        found = [c for c in page.items if c.direction == "inbound"] + found
        end = start
    return list(reversed(found[-n:]))


def _call_rows(
    calls_found: list[CallRow],
    tz: str,
    locale: str,
    gettext: Callable[[str], str],
) -> list[dict[str, Any]]:
    rows = []
    for c in calls_found:
        t = c.times
        arrived, queued, picked, ended = (
            t.get("arrived_at"), t.get("queued_at"), t.get("picked_up_at"), t.get("ended_at")
        )  # fmt: skip
        wait_end = picked or ended
        wait = (wait_end - queued).total_seconds() if queued and wait_end else None
        talk = (ended - picked).total_seconds() if picked and ended else None
        phases = []
        for at, phase, detail in c.phases:
            when = datetime.fromisoformat(at)
            phases.append({
                "at": at, "at_local": local_time(when, tz, locale, "HH:mm:ss"),
                "offset": round((when - arrived).total_seconds(), 1) if arrived else None,
                "phase": phase, "phase_label": gettext(PHASE_LABELS.get(phase, phase)),
                "detail": detail,  # operators named by username: the live engine stores so
            })  # fmt: skip
        rows.append({
            "id": c.id, "at": arrived.isoformat() if arrived else "",
            "at_local": local_time(arrived, tz, locale, "HH:mm:ss"),
            "at_full": local_time(arrived, tz, locale, "medium"),
            "number": c.number, "service": c.service or "", "queue": c.queue,
            "result": c.result, "result_label": gettext(RESULT_LABELS.get(c.result, c.result)),
            "operator": c.username or "", "wait": wait, "wait_text": clock_text(wait),
            "talk": talk, "talk_text": clock_text(talk), "phases": phases,
        })  # fmt: skip
    return rows


def inbound_figures(
    ctx: ServiceContext, live: LiveCenter | None, principal: Principal, tz: str, locale: str
) -> dict[str, Any]:
    """What the page shows and refreshes: live queues and operators, the last calls."""
    gettext = translations(locale).gettext
    visible = sorted(
        queues.list_queues(ctx, principal, MAX_QUEUES, 0).items,
        key=lambda q: (q.company_id, q.name.casefold()),
    )
    companies = {q.company_id for q in visible}
    centers = {c: live.center_of(c) for c in companies} if live is not None else {}
    figures: dict[str, Any] = {
        "engine": live is not None,
        "running": any(c is not None for c in centers.values()),
        "queues": _queue_rows(ctx, visible, centers, gettext),
        "operators": _operator_rows(ctx, principal, visible, centers, gettext),
        "calls": None,
        "at": ctx.now().isoformat(),
    }
    figures["waiting"] = sum(q["waiting"] or 0 for q in figures["queues"])
    figures["talking"] = sum(1 for o in figures["operators"] if o["state"] == "talking")
    if principal.has_anywhere(P.STATS_READ):
        figures["calls"] = _call_rows(last_inbound_calls(ctx, principal), tz, locale, gettext)
    return figures


# --- routes ---


@router.get("/inbound", response_class=HTMLResponse)
def inbound_page(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_READ)
    tz, locale = user_timezone(request, me), locale_of(request, me)
    figures = inbound_figures(ctx_of(request), live_of(request), me.principal, tz, locale)
    return render(
        request, "inbound.html", me, figures=figures, counted=COUNTED, state_labels=STATE_LABELS,
        last_calls=LAST_CALLS,
    )  # fmt: skip


@router.get("/inbound/live.json")
def inbound_live(request: Request) -> Response:
    me = page_identity(request)
    require(me, P.SERVICES_READ)
    tz, locale = user_timezone(request, me), locale_of(request, me)
    figures = inbound_figures(ctx_of(request), live_of(request), me.principal, tz, locale)
    return JSONResponse(figures, headers={"Cache-Control": "no-store"})
