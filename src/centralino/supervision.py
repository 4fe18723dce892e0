"""Live supervision (IN-6, OUT-5): the feed each company's engine pushes over the event
bus, the snapshot a page paints first, and what a supervisor does to an operator (force a
pause or a logout, send a message, listen, whisper or barge).

A `Feed` per company listens to the engine (operator states, notices, every call event,
every finished call) and, at most once every `INTERVAL` seconds, works out each
operator, queue, service and campaign as the supervisor sees it and publishes the ones
that changed as `supervision.<kind>` events. Each event carries the place of the
operator's, queue's, service's or campaign's group and needs `realtime.read` there, so
the event stream (`api/events.py`) delivers it only inside the viewer's subtree; the
snapshot filters with the same `Event.visible_to`. Times are timestamps (`since`), so a
page counts the seconds itself and nothing is published just because time passes;
events carry a sequence number so a page drops those older than its snapshot.

Store figures (places, names, campaign rates, today's inbound figures to start from)
are read once per live-engine pass (`LiveCenter.pass_listeners`), in a worker thread when
the server runs; like the rest of the engine, everything else here runs on the engine's
event loop.

The supervisor's own phone: a supervisor listening in gets a leg of their own, the
network calling their endpoint (`endpoint:supervisor:<user id>`; on the simulated network
it answers at once, with a SIP driver it is the supervisor's registered phone); once it
answers, the port's `monitor` joins it to the operator's leg in the chosen mode. The leg
is hung up when the supervisor stops or the operator's call ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from centralino.domain.access import Place, Principal
from centralino.domain.call_record import CallRecord
from centralino.domain.errors import IllegalTransition, InvalidInput
from centralino.domain.events import Event
from centralino.domain.kpis import InboundStats
from centralino.domain.operators import OperatorState
from centralino.domain.roles import Permission
from centralino.engine.center import Center
from centralino.engine.clock import Timer, to_datetime
from centralino.eventbus import EventBus
from centralino.live import LiveCenter, _Site
from centralino.services.context import ServiceContext
from centralino.services.supervision import (
    CampaignFacts,
    Facts,
    Person,
    day_start,
    inbound_today,
    load_facts,
    load_people,
)
from centralino.telephony.port import CallEvent, EventKind, LegId, MonitorMode

S = OperatorState
P = Permission
INTERVAL = 0.4  # seconds: at most one round of events per company this often
BUSY = (S.RINGING, S.RESERVED, S.TALKING, S.WRAP_UP)
IN_FLOW = ("welcome", "menu", "code", "announce")  # a call in a service, not in a queue yet
Key = tuple[str, str]  # (kind, id)


def _iso(at: float | None) -> str | None:
    return None if at is None else to_datetime(at).isoformat()


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _day(stats: list[InboundStats]) -> dict[str, Any]:
    total = InboundStats.combined(stats)
    return {
        "offered_today": total.offered, "answered_today": total.answered,
        "abandoned_today": total.abandoned,
        "service_level_today": _ratio(total.answered_in_target, total.offered),
    }  # fmt: skip


@dataclass(slots=True)
class Monitor:
    """A supervisor's own leg listening to an operator."""

    supervisor: int
    place: Place
    operator: str  # engine operator id
    mode: MonitorMode
    leg: LegId
    up: bool = False


class Feed:
    """One company's supervision feed: views of what runs, published when they change."""

    def __init__(self, sup: Supervision, site: _Site) -> None:
        self.sup = sup
        self.site = site
        self.center: Center = site.center
        self.clock = self.center.clock
        self.facts = Facts()
        self.day: dict[tuple[str, str], InboundStats] | None = None  # (service, queue)
        self.day_of: datetime | None = None
        self.last: dict[Key, tuple[Place, dict[str, Any]]] = {}
        self.timer: Timer | None = None
        self.flushed_at = float("-inf")
        self.monitors: dict[int, Monitor] = {}  # supervisor user id -> their leg
        self.strangers: set[int] = set()  # engine operators with no user of the company
        c = self.center
        c.state_listeners.append(self._state)
        c.notice_listeners.append(lambda *_: self.changed())
        c.port.subscribe(self._call_event)
        sink = c.sink

        def tee(record: CallRecord) -> None:
            sink(record)
            self._finished(record)

        c.sink = tee

    # --- what changes ---

    def changed(self) -> None:
        """Something the views show may have changed: publish within INTERVAL."""
        if self.timer is not None:
            return
        delay = max(0.0, self.flushed_at + INTERVAL - self.clock.now())
        self.timer = self.clock.call_later(delay, self.flush)

    def _state(self, op_id: str, state: OperatorState, reason: str | None, at: float) -> None:
        if state is not S.TALKING:
            for m in [m for m in self.monitors.values() if m.operator == op_id]:
                self.stop_monitor(m.supervisor)  # the call listened to is over
        self.changed()

    def _call_event(self, event: CallEvent) -> None:
        for m in list(self.monitors.values()):
            if m.leg != event.leg:
                continue
            if event.kind is EventKind.ANSWERED:
                self._join(m)
            elif event.kind is EventKind.HUNG_UP:
                del self.monitors[m.supervisor]
                self._tell_monitor(m.supervisor, m.place, None)
        self.changed()

    def _finished(self, r: CallRecord) -> None:
        if r.direction == "inbound" and self.day is not None and r.queue:
            assert self.day_of is not None
            key = (r.service or "", r.queue)
            stats = self.day.get(key)
            if stats is None:
                q = self.center.acd.queues.get(r.queue)
                target = q.config.target_seconds if q is not None else 20.0
                stats = self.day[key] = InboundStats(target, since=self.day_of.timestamp())
            stats.add(r)  # a call that arrived before today's start is left out
        self.changed()

    def refresh(self, facts: Facts) -> None:
        """New store facts (one engine pass); a new day starts today's figures afresh."""
        self.facts = facts
        self.strangers.clear()
        today = day_start(self.sup.ctx.now(), facts.timezone)
        if self.day is None or today != self.day_of:
            targets = {q.name: q.config.target_seconds for q in self.center.acd.queues.values()}
            self.day = inbound_today(self.sup.ctx, self.site.company_id, targets)
            self.day_of = today
        self.changed()

    # --- the views ---

    def views(self) -> dict[Key, tuple[Place, dict[str, Any]]]:
        """Every visible thing of the company now, with its place."""
        out: dict[Key, tuple[Place, dict[str, Any]]] = {}
        now = self.clock.now()
        self._meet_newcomers()
        for op_id in self.center.presences():
            view = self._operator(op_id, now)
            if view is not None:
                out[("operator", op_id)] = view
        for name in self.center.acd.queues:
            q = self._queue(name)
            if q is not None:
                out[("queue", name)] = q
        in_flow: dict[str, list[int]] = {}  # service -> [in the IVR, waiting in a queue]
        for call in self.center.calls.values():
            if call.service is not None and not call.done:
                counts = in_flow.setdefault(call.service.name, [0, 0])
                if call.state in IN_FLOW:
                    counts[0] += 1
                elif call.queue is not None:
                    counts[1] += 1
        for name in self.center.flow.services:
            s = self._service(name, *in_flow.get(name, (0, 0)))
            if s is not None:
                out[("service", name)] = s
        for c in self.facts.campaigns.values():
            out[("campaign", str(c.id))] = self._campaign(c)
        return out

    def _meet_newcomers(self) -> None:
        """Operators who came into the engine since the last pass (a person logging in
        from the panel): their names and places now, once, rather than at the next pass."""
        new = {
            int(op_id[5:]) for op_id in self.center.presences()
            if op_id.startswith("user:") and op_id[5:].isdigit()
        } - self.facts.people.keys() - self.strangers  # fmt: skip
        if new:
            found = load_people(self.sup.ctx, self.site.company_id, new)
            self.facts.people.update(found)
            self.strangers |= new - found.keys()

    def _operator(self, op_id: str, now: float) -> tuple[Place, dict[str, Any]] | None:
        if not op_id.startswith("user:") or not op_id[5:].isdigit():
            return None
        uid = int(op_id[5:])
        person = self.facts.people.get(uid)
        if person is None:
            return None
        op = self.center.operator(op_id)
        p = op.presence
        reason = self.center.pause_reasons.get(p.reason) if p.reason else None
        limit = reason.limit_seconds if reason is not None and p.state is S.PAUSED else None
        call = op.call or op.offer
        call_view = None
        if call is not None:
            r = call.record
            campaign = call.campaign.name if call.campaign is not None else None
            call_view = {
                "number": r.number, "direction": r.direction, "service": r.service,
                "queue": r.queue if campaign is None else None,
                "campaign": self._campaign_name(campaign),
                "since": _iso(r.picked_up_at or r.ringing_at or r.arrived_at),
            }  # fmt: skip
        camp = op.campaign.name if op.campaign is not None else None
        return person.place, {
            "user_id": uid, "username": person.username, "name": person.name,
            "state": p.state.value, "reason": p.reason,
            "reason_label": reason.label if reason is not None else None,
            "since": _iso(p.since), "limit_seconds": limit,
            "over_limit": limit is not None and now - p.since >= limit,
            "queues": [q.name for q in op.queues], "campaign": self._campaign_name(camp),
            "call": call_view, "talking": p.state is S.TALKING,
        }  # fmt: skip

    def _campaign_name(self, engine_name: str | None) -> str | None:
        if engine_name is None:
            return None
        return self.site.campaign_names.get(engine_name, engine_name)

    def _queue(self, name: str) -> tuple[Place, dict[str, Any]] | None:
        found = self.facts.queues.get(name)
        if found is None:
            return None
        place, group = found
        q = self.center.acd.queues[name]
        waiting = [c for c in q.waiting if not c.done]
        states = [op.presence.state for op in q.members.values()]
        day = [s for (_, queue), s in (self.day or {}).items() if queue == name]
        return place, {
            "queue": name, "group": group, "waiting": len(waiting),
            "oldest_since": _iso(min((c.entered for c in waiting), default=None)),
            "ringing": sum(1 for c in waiting if c.offered),
            "ready": sum(1 for s in states if s is S.READY),
            "busy": sum(1 for s in states if s in BUSY),
            "paused": sum(1 for s in states if s is S.PAUSED),
            "logged_in": sum(1 for s in states if s is not S.LOGGED_OUT),
            "target_seconds": q.config.target_seconds, "blending": q.blending,
            **_day(day),
        }  # fmt: skip

    def _service(self, name: str, in_ivr: int, waiting: int) -> tuple[Place, dict[str, Any]] | None:
        found = self.facts.services.get(name)
        if found is None:
            return None
        place, numbers = found
        day = [s for (service, _), s in (self.day or {}).items() if service == name]
        return place, {
            "service": name, "numbers": list(numbers), "in_ivr": in_ivr, "waiting": waiting,
            **_day(day),
        }  # fmt: skip

    def _campaign(self, c: CampaignFacts) -> tuple[Place, dict[str, Any]]:
        live = self.center.campaign_status(f"campaign:{c.id}")
        lines = int(live["lines"]) if live else 0
        free = int(live["free"]) if live else 0
        return c.place, {
            "campaign_id": c.id, "name": c.name, "mode": c.mode,
            "dialing": bool(live and live["running"]),
            "records_total": c.records_total, "records_done": c.records_done,
            "records_left": c.records_total - c.records_done,
            "lines": lines, "free": free, "dial_level": _ratio(lines, free),
            "waiting": int(live["waiting"]) if live else 0,
            "logged_in": int(live["logged_in"]) if live else 0,
            "abandon_today": c.today.rate, "abandon_hour": c.hour.rate,
            "abandon_quarter": c.quarter.rate, "answered_today": c.today.answered,
            "abandon_cap": c.abandon_cap,
            "contacts_today": c.contacts_today, "positives_today": c.positives_today,
            "positive_rate": c.positive_rate, "positive_target": c.positive_target,
            "alert": c.alert,
        }  # fmt: skip

    # --- publishing ---

    def flush(self) -> None:
        """Publish what changed since the last round (removed things as `gone`)."""
        self.timer = None
        self.flushed_at = self.clock.now()
        now = self.views()
        changed = [(k, v) for k, v in now.items() if self.last.get(k) != v]
        gone = [(k, v) for k, v in self.last.items() if k not in now]
        if not changed and not gone:
            return
        seq = self.sup.next_seq()
        at = to_datetime(self.flushed_at)
        bus = self.sup.bus
        for (kind, _), (place, payload) in changed:
            bus.publish(
                Event(f"supervision.{kind}", at, place, P.REALTIME_READ, {**payload, "seq": seq})
            )
        for (kind, key), (place, _) in gone:
            bus.publish(
                Event(
                    f"supervision.{kind}", at, place, P.REALTIME_READ,
                    {"key": key, "gone": True, "seq": seq},
                )
            )  # fmt: skip
        self.last = now

    # --- the supervisor's phone ---

    def monitor(self, supervisor: int, place: Place, op_id: str, mode: MonitorMode) -> None:
        op = self.center.operator(op_id)
        if op.presence.state is not S.TALKING or op.leg is None:
            raise IllegalTransition("the operator is not talking to a customer")
        m = self.monitors.get(supervisor)
        if m is not None and m.operator != op_id:
            self.stop_monitor(supervisor)
            m = None
        if m is None:
            endpoint = self.site.network.register_endpoint(f"supervisor:{supervisor}")
            leg = self.center.port.originate(endpoint, "", 30.0)
            m = self.monitors[supervisor] = Monitor(supervisor, place, op_id, mode, leg)
        else:
            m.mode = mode
            if m.up:
                self._join(m)
        self._tell_monitor(supervisor, place, m)

    def _join(self, m: Monitor) -> None:
        op = self.center.operator(m.operator)
        if op.leg is None:
            self.stop_monitor(m.supervisor)
            return
        m.up = True
        self.center.port.monitor(m.leg, op.leg, m.mode)
        self._tell_monitor(m.supervisor, m.place, m)

    def stop_monitor(self, supervisor: int) -> bool:
        m = self.monitors.pop(supervisor, None)
        if m is None:
            return False
        self.center.port.hangup(m.leg)
        self._tell_monitor(supervisor, m.place, None)
        return True

    def monitor_view(self, supervisor: int) -> dict[str, Any] | None:
        m = self.monitors.get(supervisor)
        if m is None:
            return None
        return {"user_id": int(m.operator[5:]), "mode": m.mode.value, "connected": m.up}

    def _tell_monitor(self, supervisor: int, place: Place, m: Monitor | None) -> None:
        self.sup.bus.publish(
            Event(
                "supervision.monitor", to_datetime(self.clock.now()), place, P.SUPERVISE,
                {"monitor": self.monitor_view(supervisor) if m is not None else None},
                supervisor,
            )
        )  # fmt: skip


def _user_ids(feed: Feed) -> set[int]:
    return {
        int(op_id[5:]) for op_id in feed.center.presences()
        if op_id.startswith("user:") and op_id[5:].isdigit()
    }  # fmt: skip


class Supervision:
    """The feeds of one live engine, its snapshot and the supervisor's actions."""

    def __init__(self, live: LiveCenter, ctx: ServiceContext, bus: EventBus) -> None:
        self.live = live
        self.ctx = ctx
        self.bus = bus
        self.feeds: dict[int, Feed] = {}
        self._seq = 0
        live.pass_listeners.append(self)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def feed(self, company_id: int) -> Feed | None:
        site = self.live.sites.get(company_id)
        if site is None:
            return None
        feed = self.feeds.get(company_id)
        if feed is None or feed.site is not site:
            feed = self.feeds[company_id] = Feed(self, site)
            self._refresh(feed)
        return feed

    def refresh(self) -> None:
        """Once per engine pass: the store's facts for every running company."""
        self.apply(self.read(self.gather()))

    # a pass listener (`LiveCenter.pass_listeners`): the store read off the loop

    def gather(self) -> list[tuple[Feed, int, set[int]]]:
        """Each running company's feed (a new one read at once) and its operators."""
        out = []
        for company_id, site in list(self.live.sites.items()):
            feed = self.feeds.get(company_id)
            if feed is None or feed.site is not site:
                self.feed(company_id)
            else:
                out.append((feed, company_id, _user_ids(feed)))
        return out

    def read(self, what: list[tuple[Feed, int, set[int]]]) -> list[tuple[Feed, Facts]]:
        """The store's facts of each (blocking reads, any thread)."""
        return [(feed, load_facts(self.ctx, company_id, ids)) for feed, company_id, ids in what]

    def apply(self, got: list[tuple[Feed, Facts]]) -> None:
        for feed, facts in got:
            if self.feeds.get(feed.site.company_id) is feed:  # not replaced meanwhile
                feed.refresh(facts)

    def _refresh(self, feed: Feed) -> None:
        feed.refresh(load_facts(self.ctx, feed.site.company_id, _user_ids(feed)))

    # --- reading ---

    def snapshot(self, viewer: Principal) -> dict[str, Any]:
        """Everything the viewer may see now, in the shape of the events that follow."""
        out: dict[str, Any] = {
            "engine": True, "seq": self._seq, "operators": [], "queues": [], "services": [],
            "campaigns": [], "pause_reasons": [], "monitor": None,
        }  # fmt: skip
        companies = list(self.live.sites) if viewer.is_system_admin else [viewer.company_id]
        for company_id in companies:
            feed = self.feed(company_id)
            if feed is None:
                continue
            feed.flush()  # what is pending now goes out first: the snapshot is at `seq`
            at = to_datetime(feed.clock.now())
            for (kind, _), (place, payload) in feed.last.items():
                if Event(f"supervision.{kind}", at, place, P.REALTIME_READ).visible_to(viewer):
                    out[kind + "s"].append(payload)
            if company_id == viewer.company_id:
                out["monitor"] = feed.monitor_view(viewer.user_id)
                out["pause_reasons"] = [
                    {"code": r.code, "label": r.label, "limit_seconds": r.limit_seconds}
                    for r in feed.center.pause_reasons.values()
                ]
        out["seq"] = self._seq
        out["operators"].sort(key=lambda o: o["username"])
        for kind, key in (("queues", "queue"), ("services", "service"), ("campaigns", "name")):
            out[kind].sort(key=lambda x, k=key: str(x[k]).casefold())
        return out

    # --- actions (the caller checked access: `services.supervision.target_operator`) ---

    def _operator(self, person: Person, user_id: int) -> tuple[Feed, str]:
        feed = self.feed(person.place.company_id)
        op_id = f"user:{user_id}"
        if feed is None or not feed.center.has_operator(op_id):
            raise IllegalTransition(f"{person.username} is not in the live engine")
        return feed, op_id

    def force_pause(self, person: Person, user_id: int, reason: str | None) -> str:
        """Pause now, or after the call in hand; answers `paused` or `pending`."""
        feed, op_id = self._operator(person, user_id)
        state = feed.center.operator(op_id).presence.state
        if state is S.LOGGED_OUT:
            raise IllegalTransition(f"{person.username} is logged out")
        feed.center.force_pause(op_id, reason)  # a call ringing to them passes on
        after = feed.center.operator(op_id).presence.state
        return "paused" if after is S.PAUSED else "pending"

    def force_logout(self, person: Person, user_id: int) -> str:
        feed, op_id = self._operator(person, user_id)
        if feed.center.operator(op_id).presence.state is S.LOGGED_OUT:
            raise IllegalTransition(f"{person.username} is logged out")
        feed.center.logout(op_id)
        after = feed.center.operator(op_id).presence.state
        return "logged_out" if after is S.LOGGED_OUT else "pending"

    def monitor(
        self, viewer: Principal, person: Person, user_id: int, mode: str
    ) -> dict[str, Any] | None:
        try:
            how = MonitorMode(mode)
        except ValueError:
            known = ", ".join(m.value for m in MonitorMode)
            raise InvalidInput(f"unknown mode {mode!r} (one of {known})", "mode") from None
        feed, op_id = self._operator(person, user_id)
        here = Place(viewer.company_id, viewer.group_path)
        feed.monitor(viewer.user_id, here, op_id, how)
        return feed.monitor_view(viewer.user_id)

    def stop_monitor(self, viewer: Principal, person: Person) -> None:
        feed = self.feed(person.place.company_id)
        if feed is None or not feed.stop_monitor(viewer.user_id):
            raise IllegalTransition("you are not listening to anyone")


def send_message(
    bus: EventBus, at: datetime, sender: Principal, sender_name: str, person: Person,
    user_id: int, text: str,
) -> None:  # fmt: skip
    """A pop-up on the operator's panel: to them alone, on the event stream."""
    bus.publish(
        Event(
            "phone.message", at, person.place, P.CALLS_HANDLE,
            {"from": sender.username, "from_name": sender_name, "text": text}, user_id,
        )
    )  # fmt: skip
