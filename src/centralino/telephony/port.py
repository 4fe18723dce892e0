"""The telephony port: the only way the dialer and the ACD touch calls (TEL-1).

Asynchronous in the telephony sense, as Asterisk ARI or FreeSWITCH ESL: every command
returns at once (with the new leg's id where one is created) and its result arrives
later as a `CallEvent` through the handler given to `subscribe`. A driver delivers
events on the engine's clock (`Clock.call_soon`), never from inside a command, so the
engine never sees an event re-entrantly. A live driver does its I/O on asyncio and
posts events the same way; the simulated driver (`telephony.sim`) does it in virtual time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

LegId = int  # drivers map their channel ids (ARI channel, ESL uuid) to ints


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class EventKind(StrEnum):
    CREATED = "created"  # a leg exists: an inbound call arrived or an originate started
    RINGING = "ringing"
    ANSWERED = "answered"  # a person (or our endpoint) answered
    BUSY = "busy"
    NO_ANSWER = "no_answer"  # rang until the ring timeout
    INVALID_NUMBER = "invalid_number"  # unallocated or nonexistent number
    FAILED = "failed"  # congestion, network failure
    MACHINE = "machine"  # answering machine detected
    FAX = "fax"  # fax tone detected
    DTMF = "dtmf"  # keys collected (digits; empty when the collection timed out)
    PLAYBACK_FINISHED = "playback_finished"
    BRIDGED = "bridged"
    UNBRIDGED = "unbridged"  # a bridge ended while this leg stays up
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"
    TRANSFERRED = "transferred"
    MONITOR_STARTED = "monitor_started"
    HUNG_UP = "hung_up"


class HangupCause(StrEnum):
    NORMAL = "normal"  # the other party or we hung up normally
    CALLER_GAVE_UP = "caller_gave_up"  # hung up while waiting (abandon)
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    UNALLOCATED = "unallocated"
    CONGESTION = "congestion"
    MACHINE = "machine"
    FAX = "fax"
    ABANDONED_BY_SYSTEM = "abandoned_by_system"  # no operator in time: message, hang up
    TRANSFERRED = "transferred"
    SHUTDOWN = "shutdown"


class MonitorMode(StrEnum):
    LISTEN = "listen"  # supervisor hears both parties, nobody hears the supervisor
    WHISPER = "whisper"  # the operator hears the supervisor, the customer does not
    BARGE = "barge"  # everybody hears everybody


@dataclass(slots=True)
class CallEvent:
    kind: EventKind
    leg: LegId
    at: float  # clock time (seconds since the epoch, UTC)
    direction: Direction = Direction.OUTBOUND
    cause: HangupCause | None = None
    peer: LegId | None = None  # the other leg of a bridge, transfer or monitor
    digits: str = ""
    number: str = ""  # remote party: the dialed number or the inbound caller
    dialed: str = ""  # inbound: the number the caller dialed (selects the service)
    info: Mapping[str, str] | None = None  # driver details: prompt, recording name, ...


EventHandler = Callable[[CallEvent], None]


class TelephonyPort(Protocol):
    """Commands the engine may give; results come back as events to the subscriber."""

    def subscribe(self, handler: EventHandler) -> None: ...

    def originate(self, destination: str, caller_id: str, ring_timeout: float) -> LegId:
        """Call a number (E.164) or an endpoint (`endpoint:<name>`, an operator's phone)."""
        ...

    def answer(self, leg: LegId) -> None: ...

    def hangup(self, leg: LegId, cause: HangupCause = HangupCause.NORMAL) -> None: ...

    def bridge(self, a: LegId, b: LegId) -> None: ...

    def conference(self, legs: list[LegId]) -> None:
        """Join the legs so that everyone hears everyone (each leaves its old bridge)."""
        ...

    def unbridge(self, leg: LegId) -> None:
        """Take `leg` out of its bridge (hold, or before sending it on); both legs stay up."""
        ...

    def play(self, leg: LegId, prompt: str, *, loop: bool = False) -> None:
        """Play a prompt; `loop` for music on hold. A new play or a bridge stops the old one."""
        ...

    def stop_playback(self, leg: LegId) -> None: ...

    def collect_dtmf(
        self, leg: LegId, *, max_digits: int, timeout: float, prompt: str | None = None
    ) -> None: ...

    def start_recording(self, leg: LegId, name: str) -> None: ...

    def stop_recording(self, leg: LegId) -> None:
        """RECORDING_STOPPED follows, its info naming the file (`path`) and `seconds`."""
        ...

    def mute(self, leg: LegId, on: bool) -> None:
        """Stop (or resume) carrying `leg`'s voice to the other side of its bridge."""
        ...

    def send_dtmf(self, leg: LegId, digits: str) -> None:
        """Play keypad tones (0-9, *, #) down `leg`."""
        ...

    def blind_transfer(self, leg: LegId, destination: str) -> None:
        """Send `leg` to `destination`, dropping whatever it is bridged to."""
        ...

    def attended_transfer(self, leg: LegId, consult: LegId) -> None:
        """Join `leg` to `consult` (a leg the operator called and talked to first)."""
        ...

    def monitor(self, supervisor: LegId, target: LegId, mode: MonitorMode) -> None: ...
