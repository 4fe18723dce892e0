"""A simulated telephone network behind the telephony port, in the clock's time.

Customers are scripted by a `Fate` (what they will do when called or when they call):
whether the call is answered, how long it rings, how long they talk once connected,
how long they wait for an operator before hanging up, which keys they press. Operators'
phones are endpoints that answer at once. The engine cannot tell this driver from a real one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import count
from pathlib import Path

from centralino.engine.clock import Clock, Timer
from centralino.telephony.port import (
    CallEvent,
    Direction,
    EventHandler,
    EventKind,
    HangupCause,
    LegId,
    MonitorMode,
)
from centralino.telephony.sim.wav import write_wav

ENDPOINT = "endpoint:"
INFINITE = math.inf

_RESULT_CAUSE = {
    EventKind.BUSY: HangupCause.BUSY,
    EventKind.NO_ANSWER: HangupCause.NO_ANSWER,
    EventKind.INVALID_NUMBER: HangupCause.UNALLOCATED,
    EventKind.FAILED: HangupCause.CONGESTION,
}


@dataclass(slots=True)
class Fate:
    """What one simulated customer does."""

    result: EventKind = EventKind.ANSWERED  # outbound: ANSWERED, BUSY, NO_ANSWER, ...
    ring: float = 5.0  # seconds of ringing before the result
    talk: float = 120.0  # seconds of conversation once bridged
    patience: float = INFINITE  # seconds waiting for an operator before hanging up
    digits: str = ""  # keys pressed when asked, in order: each question takes the next ones
    think: float = 2.0  # seconds to press them


FateSource = Callable[[str], Fate]


class LegState(StrEnum):
    RINGING = "ringing"
    UP = "up"
    BRIDGED = "bridged"
    GONE = "gone"


class _Leg:
    __slots__ = (
        "direction",
        "endpoint",
        "fate",
        "id",
        "keys",
        "number",
        "patience_timer",
        "peer",
        "playing",
        "recording",
        "room",
        "state",
        "timer",
    )

    def __init__(self, leg_id: LegId, direction: Direction, number: str, fate: Fate | None) -> None:
        self.id = leg_id
        self.direction = direction
        self.number = number
        self.fate = fate
        self.endpoint = fate is None
        self.keys = fate.digits if fate is not None else ""  # keys still to press, in order
        self.state = LegState.RINGING
        self.peer: _Leg | None = None
        self.room: set[_Leg] | None = None  # a conference: every leg in it hears the others
        self.timer: Timer | None = None  # ring result, talk end, playback end, DTMF
        self.patience_timer: Timer | None = None
        self.playing: str | None = None
        self.recording: str | None = None


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def _no_fate(_number: str) -> Fate:
    return Fate(result=EventKind.INVALID_NUMBER, ring=0.5)


class SimNetwork:
    """The simulated driver of the telephony port.

    A command on a leg that has already hung up does nothing: its HUNG_UP event is on
    its way to the engine, as with a real switch.
    """

    def __init__(
        self,
        clock: Clock,
        fates: FateSource = _no_fate,
        *,
        prompt_seconds: dict[str, float] | None = None,
        default_prompt_seconds: float = 5.0,
        recordings_dir: Path | None = None,
    ) -> None:
        self.clock = clock
        self.fates = fates
        self.prompt_seconds = dict(prompt_seconds or {})
        self.default_prompt_seconds = default_prompt_seconds
        self._handlers: list[EventHandler] = []
        self._legs: dict[LegId, _Leg] = {}
        self._ids = count(1)
        self._endpoints: set[str] = set()
        self.monitors: dict[LegId, tuple[LegId, MonitorMode]] = {}
        self.recordings: list[tuple[LegId, str, float, float]] = []  # leg, name, start, end
        self._rec_started: dict[LegId, float] = {}
        self.recordings_dir = recordings_dir  # where a stopped recording's WAV is written
        self.muted: set[LegId] = set()  # legs whose voice the bridge no longer carries
        self.dtmf_sent: dict[LegId, str] = {}  # keys sent down each leg, in order
        self.events_emitted = 0

    # --- wiring ---

    def subscribe(self, handler: EventHandler) -> None:
        self._handlers.append(handler)

    def register_endpoint(self, name: str) -> str:
        """An operator's phone: answers every call at once. Returns its destination."""
        self._endpoints.add(name)
        return ENDPOINT + name

    def legs_up(self) -> int:
        return len(self._legs)

    def _emit(
        self,
        kind: EventKind,
        leg: _Leg,
        *,
        cause: HangupCause | None = None,
        peer: LegId | None = None,
        digits: str = "",
        dialed: str = "",
        info: dict[str, str] | None = None,
    ) -> None:
        event = CallEvent(
            kind, leg.id, self.clock.now(), leg.direction, cause, peer, digits, leg.number,
            dialed, info,
        )  # fmt: skip
        self.events_emitted += 1
        for handler in self._handlers:
            self.clock.call_soon(handler, event)

    # --- the world calls in ---

    def inbound(self, dialed: str, caller: str, fate: Fate) -> LegId:
        """A customer calls `dialed`; the leg rings until the engine answers or gives up."""
        leg = _Leg(next(self._ids), Direction.INBOUND, caller, fate)
        self._legs[leg.id] = leg
        self._emit(EventKind.CREATED, leg, dialed=dialed)
        return leg.id

    # --- commands ---

    def originate(self, destination: str, caller_id: str, ring_timeout: float) -> LegId:
        leg_id = next(self._ids)
        if destination.startswith(ENDPOINT):
            name = destination[len(ENDPOINT) :]
            fate = None if name in self._endpoints else _no_fate(destination)
        else:
            fate = self.fates(destination)
        leg = _Leg(leg_id, Direction.OUTBOUND, destination, fate)
        self._legs[leg_id] = leg
        self._emit(EventKind.CREATED, leg)
        if fate is None:
            leg.state = LegState.UP
            self._emit(EventKind.ANSWERED, leg)
            return leg_id
        self._emit(EventKind.RINGING, leg)
        if fate.result in (EventKind.ANSWERED, EventKind.MACHINE, EventKind.FAX):
            if fate.ring >= ring_timeout:
                leg.timer = self.clock.call_later(ring_timeout, self._ring_result, leg, True)
            else:
                leg.timer = self.clock.call_later(fate.ring, self._ring_result, leg, False)
        elif fate.result == EventKind.NO_ANSWER:
            leg.timer = self.clock.call_later(ring_timeout, self._ring_result, leg, True)
        else:
            ring = min(fate.ring, ring_timeout)
            leg.timer = self.clock.call_later(ring, self._ring_result, leg, False)
        return leg_id

    def _ring_result(self, leg: _Leg, timed_out: bool) -> None:
        if leg.state is not LegState.RINGING:
            return
        fate = leg.fate
        assert fate is not None
        leg.timer = None
        if timed_out:
            self._emit(EventKind.NO_ANSWER, leg)
            self._gone(leg, HangupCause.NO_ANSWER)
            return
        kind = fate.result
        if kind == EventKind.ANSWERED:
            leg.state = LegState.UP
            self._emit(EventKind.ANSWERED, leg)
            if fate.patience != INFINITE:
                leg.patience_timer = self.clock.call_later(fate.patience, self._give_up, leg)
        elif kind in (EventKind.MACHINE, EventKind.FAX):
            leg.state = LegState.UP
            self._emit(kind, leg)  # the line stays up until the engine hangs up
        else:
            self._emit(kind, leg)
            self._gone(leg, _RESULT_CAUSE.get(kind, HangupCause.CONGESTION))

    def _give_up(self, leg: _Leg) -> None:
        leg.patience_timer = None
        if leg.state is LegState.UP:
            self._gone(leg, HangupCause.CALLER_GAVE_UP)

    def _gone(self, leg: _Leg, cause: HangupCause) -> None:
        """`leg` hangs up; its bridge partner stays up, unbridged."""
        if leg.state is LegState.GONE:
            return
        leg.state = LegState.GONE
        if leg.timer is not None:
            self.clock.cancel(leg.timer)
            leg.timer = None
        if leg.patience_timer is not None:
            self.clock.cancel(leg.patience_timer)
            leg.patience_timer = None
        if leg.recording is not None:
            self._stop_recording(leg)
        peer = leg.peer
        del self._legs[leg.id]
        self.monitors.pop(leg.id, None)
        self.muted.discard(leg.id)
        self._emit(EventKind.HUNG_UP, leg, cause=cause, peer=peer.id if peer else None)
        self._detach(leg)

    def _detach(
        self, leg: _Leg, keep: frozenset[_Leg] = frozenset(), stop_talk: bool = False
    ) -> None:
        """`leg` leaves its bridge or conference; whoever is left alone there is unbridged
        (with `stop_talk`, a customer left alone stops their talk clock: on hold). Legs in
        `keep` (joining the same new bridge) are not told."""
        peer, room = leg.peer, leg.room
        leg.peer = None
        leg.room = None
        alone: list[_Leg] = []
        if peer is not None:
            peer.peer = None
            alone.append(peer)
        if room is not None:
            room.discard(leg)
            if len(room) == 1:
                last = room.pop()
                last.room = None
                alone.append(last)
        for other in alone:
            if other not in keep and other.state is LegState.BRIDGED:
                other.state = LegState.UP
                if stop_talk and other.timer is not None and other.fate is not None:
                    self.clock.cancel(other.timer)
                    other.timer = None
                self._emit(EventKind.UNBRIDGED, other, peer=leg.id)

    def _live(self, leg_id: LegId) -> _Leg | None:
        return self._legs.get(leg_id)

    def answer(self, leg: LegId) -> None:
        lg = self._live(leg)
        if lg is None or lg.state is not LegState.RINGING or lg.direction != Direction.INBOUND:
            return
        lg.state = LegState.UP
        self._emit(EventKind.ANSWERED, lg)

    def hangup(self, leg: LegId, cause: HangupCause = HangupCause.NORMAL) -> None:
        lg = self._live(leg)
        if lg is not None:
            self._gone(lg, cause)

    def bridge(self, a: LegId, b: LegId) -> None:
        la, lb = self._live(a), self._live(b)
        if la is None or lb is None or la.state is LegState.RINGING or lb.state is LegState.RINGING:
            return
        self._join([la, lb])
        la.peer, lb.peer = lb, la
        self._emit(EventKind.BRIDGED, la, peer=b)
        self._emit(EventKind.BRIDGED, lb, peer=a)
        self._talk([la, lb])

    def conference(self, legs: list[LegId]) -> None:
        ls = [self._live(x) for x in legs]
        live = [lg for lg in ls if lg is not None and lg.state is not LegState.RINGING]
        if len(live) < 2 or len(live) != len(ls):
            return
        self._join(live)
        room = set(live)
        members = ",".join(str(lg.id) for lg in live)
        for lg in live:
            lg.room = room
            self._emit(EventKind.BRIDGED, lg, info={"conference": members})
        self._talk(live)

    def _join(self, legs: list[_Leg]) -> None:
        keep = frozenset(legs)
        for lg in legs:
            if (lg.peer is not None and lg.peer not in keep) or lg.room is not None:
                self._detach(lg, keep)
            lg.peer = None
        for lg in legs:
            lg.state = LegState.BRIDGED
            lg.playing = None
            if lg.timer is not None:  # a prompt or a key collection is cut short
                self.clock.cancel(lg.timer)
                lg.timer = None
            if lg.patience_timer is not None:
                self.clock.cancel(lg.patience_timer)
                lg.patience_timer = None

    def _talk(self, legs: list[_Leg]) -> None:
        for lg in legs:
            if lg.fate is not None:  # the customer ends the conversation after their talk time
                lg.timer = self.clock.call_later(lg.fate.talk, self._gone, lg, HangupCause.NORMAL)

    def unbridge(self, leg: LegId) -> None:
        lg = self._live(leg)
        if lg is None or (lg.peer is None and lg.room is None):
            return
        others = [lg.peer] if lg.peer is not None else [o for o in (lg.room or ()) if o is not lg]
        self._detach(lg, stop_talk=True)
        lg.state = LegState.UP
        if lg.timer is not None and lg.fate is not None:  # the customer's talk clock stops
            self.clock.cancel(lg.timer)
            lg.timer = None
        self._emit(EventKind.UNBRIDGED, lg, peer=others[0].id if others else None)

    def play(self, leg: LegId, prompt: str, *, loop: bool = False) -> None:
        lg = self._live(leg)
        if lg is None or lg.state is LegState.RINGING:
            return
        if lg.timer is not None and lg.state is not LegState.BRIDGED:
            self.clock.cancel(lg.timer)
            lg.timer = None
        lg.playing = prompt
        if loop:
            fate = lg.fate
            if fate is not None and fate.patience != INFINITE and lg.patience_timer is None:
                lg.patience_timer = self.clock.call_later(fate.patience, self._give_up, lg)
        else:
            seconds = self.prompt_seconds.get(prompt, self.default_prompt_seconds)
            lg.timer = self.clock.call_later(seconds, self._played, lg, prompt)

    def _played(self, leg: _Leg, prompt: str) -> None:
        leg.timer = None
        if leg.state is not LegState.GONE and leg.playing == prompt:
            leg.playing = None
            self._emit(EventKind.PLAYBACK_FINISHED, leg, info={"prompt": prompt})

    def stop_playback(self, leg: LegId) -> None:
        lg = self._live(leg)
        if lg is not None and lg.playing is not None:
            lg.playing = None
            if lg.timer is not None and lg.state is not LegState.BRIDGED:
                self.clock.cancel(lg.timer)
                lg.timer = None

    def collect_dtmf(
        self, leg: LegId, *, max_digits: int, timeout: float, prompt: str | None = None
    ) -> None:
        lg = self._live(leg)
        if lg is None or lg.state is LegState.RINGING:
            return
        lead = self.prompt_seconds.get(prompt, self.default_prompt_seconds) if prompt else 0.0
        fate = lg.fate
        digits = lg.keys[:max_digits]
        think = fate.think if fate is not None else timeout
        if not digits or think > timeout:
            digits, think = "", timeout
        lg.keys = lg.keys[len(digits) :]
        lg.playing = prompt
        if lg.timer is not None and lg.state is not LegState.BRIDGED:
            self.clock.cancel(lg.timer)
        lg.timer = self.clock.call_later(lead + think, self._keys, lg, digits)

    def _keys(self, leg: _Leg, digits: str) -> None:
        leg.timer = None
        leg.playing = None
        if leg.state is not LegState.GONE:
            self._emit(EventKind.DTMF, leg, digits=digits)

    def start_recording(self, leg: LegId, name: str) -> None:
        lg = self._live(leg)
        if lg is not None and lg.recording is None:
            lg.recording = name
            self._rec_started[lg.id] = self.clock.now()
            self._emit(EventKind.RECORDING_STARTED, lg, info={"name": name})

    def stop_recording(self, leg: LegId) -> None:
        lg = self._live(leg)
        if lg is not None and lg.recording is not None:
            self._stop_recording(lg)

    def _stop_recording(self, lg: _Leg) -> None:
        """The recording ends; with a recordings directory its WAV file is written there
        (`<name>.wav`, the name made safe for a file), named in the event's info."""
        name = lg.recording or ""
        lg.recording = None
        now = self.clock.now()
        start = self._rec_started.pop(lg.id, now)
        self.recordings.append((lg.id, name, start, now))
        info = {"name": name, "seconds": f"{now - start:.3f}"}
        if self.recordings_dir is not None:
            path = self.recordings_dir / (_SAFE.sub("_", name) + ".wav")
            write_wav(path, now - start)
            info["path"] = str(path)
        self._emit(EventKind.RECORDING_STOPPED, lg, info=info)

    def mute(self, leg: LegId, on: bool) -> None:
        """The leg's voice no longer reaches the other side of its bridge (or again)."""
        lg = self._live(leg)
        if lg is None:
            return
        if on:
            self.muted.add(lg.id)
        else:
            self.muted.discard(lg.id)

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        """Keys played down the leg (to the customer's IVR, say): kept per leg."""
        lg = self._live(leg)
        if lg is not None and lg.state is not LegState.RINGING:
            self.dtmf_sent[lg.id] = self.dtmf_sent.get(lg.id, "") + digits

    def blind_transfer(self, leg: LegId, destination: str) -> None:
        lg = self._live(leg)
        if lg is None or lg.state is LegState.RINGING:
            return
        if lg.peer is not None or lg.room is not None:
            self._detach(lg)
            lg.state = LegState.UP
            if lg.timer is not None:
                self.clock.cancel(lg.timer)
                lg.timer = None
        target = self.originate(destination, lg.number, 30.0)
        self._emit(EventKind.TRANSFERRED, lg, peer=target, info={"to": destination})
        self.clock.call_soon(self._join_when_up, lg.id, target, 0)

    def _join_when_up(self, leg: LegId, target: LegId, tries: int) -> None:
        lt, lg = self._live(target), self._live(leg)
        if lg is None:
            return
        if lt is None:  # the transfer target did not answer: the caller is not left hanging
            self._gone(lg, HangupCause.NORMAL)
            return
        if lt.state is LegState.RINGING:
            if tries < 600:
                self.clock.call_later(0.5, self._join_when_up, leg, target, tries + 1)
            return
        self.bridge(leg, target)

    def attended_transfer(self, leg: LegId, consult: LegId) -> None:
        lg, lc = self._live(leg), self._live(consult)
        if lg is None or lc is None:
            return
        self._emit(EventKind.TRANSFERRED, lg, peer=consult)
        self.bridge(leg, consult)

    def monitor(self, supervisor: LegId, target: LegId, mode: MonitorMode) -> None:
        ls, lt = self._live(supervisor), self._live(target)
        if ls is None or lt is None:
            return
        self.monitors[supervisor] = (target, mode)
        self._emit(EventKind.MONITOR_STARTED, ls, peer=target, info={"mode": mode.value})
