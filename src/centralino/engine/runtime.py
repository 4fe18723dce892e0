"""The engine's live objects: operators, calls, queues and campaigns as they run.

Plain slotted classes shared by the center (telephony events, operator panel), the
ACD (queues and offers) and the dialer (campaigns). They hold no logic of their own.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from centralino.domain.call_record import CallRecord
from centralino.domain.inbound.queues import QueueConfig
from centralino.domain.inbound.routing import QueueRouter
from centralino.domain.inbound.services import IvrMenu, ServiceConfig
from centralino.domain.operators import Presence
from centralino.engine.clock import Timer
from centralino.telephony.port import LegId

if TYPE_CHECKING:
    from centralino.domain.outbound.pacing import PredictivePacer
    from centralino.engine.center import Dial, DialSource

ABANDON_MESSAGE = "abandon_message"


class QueueRun:
    __slots__ = (
        "arrivals", "blend_reason", "blend_timer", "blended", "blending", "config", "epoch",
        "handle_time", "members", "name", "router", "waiting",
    )  # fmt: skip

    def __init__(self, config: QueueConfig) -> None:
        self.config = config
        self.name = config.name
        self.router = QueueRouter(config.strategy, config.name)
        # in arrival order (a dict: removal in constant time); offered calls stay in it
        self.waiting: dict[CallRun, None] = {}
        self.epoch = 0  # a new offer cycle each time nobody is ready: misses forgotten
        self.blended = 0  # members also on a campaign
        self.members: dict[str, OpRun] = {}
        self.blending = False  # blended (outbound) members take calls while this holds
        self.blend_reason = ""
        self.blend_timer: Timer | None = None
        self.arrivals: deque[float] = deque()  # entry times in the last 15 minutes
        self.handle_time = 180.0  # moving average of talk + after-call work (seconds)


class CampaignRun:
    __slots__ = (
        "abandon_after", "abandon_prompt", "caller_id", "flying", "free", "in_flight", "mode",
        "name", "ops", "pacer", "ratio", "ring_timeout", "running", "source", "ticking",
        "waiting",
    )  # fmt: skip

    def __init__(
        self,
        name: str,
        source: DialSource,
        ratio: float,
        caller_id: str,
        ring_timeout: float,
        abandon_after: float,
    ) -> None:
        self.name = name
        self.source = source
        self.ratio = ratio
        self.caller_id = caller_id
        self.ring_timeout = ring_timeout
        self.abandon_after = abandon_after
        self.abandon_prompt = ABANDON_MESSAGE  # or comfort noise, as the preset says
        self.free: dict[str, OpRun] = {}
        self.waiting: deque[CallRun] = deque()
        self.in_flight = 0
        self.running = True
        self.pacer: PredictivePacer | None = None  # None: power dialing at `ratio`
        self.ops: list[OpRun] = []
        self.flying: dict[LegId, float] = {}  # ringing dials and when they started
        self.ticking = False
        self.mode = "power"  # power, predictive, preview or manual


class OpRun:
    __slots__ = (
        "acw_timer", "auto_answer", "call", "calls_today", "campaign", "code",
        "endpoint", "id", "leg", "logout_pending", "misses", "move_to", "offer",
        "pause_pending", "pause_timer", "presence", "preview", "queues", "remind_timer",
        "talk_today", "whisper_call", "work_started",
    )  # fmt: skip

    def __init__(self, op_id: str, campaign: CampaignRun | None) -> None:
        self.id = op_id
        self.queues: list[QueueRun] = []
        self.campaign = campaign
        self.presence = Presence()
        self.leg: LegId | None = None
        self.endpoint = ""
        self.call: CallRun | None = None  # the call they talk on or wrap up
        self.offer: CallRun | None = None  # the inbound call ringing to them
        self.pause_pending: str | None = None  # the reason, once the call in hand ends
        self.logout_pending = False
        self.preview: Dial | None = None  # the record shown to the operator (preview mode)
        self.move_to: str | None = None  # campaign to move to after the call in hand
        self.code: str | None = None  # keypad code a caller may dial to reach them
        self.auto_answer = False
        self.misses = 0  # offers missed in a row
        self.calls_today = 0
        self.talk_today = 0.0
        self.acw_timer: Timer | None = None
        self.pause_timer: Timer | None = None  # the pause reason's limit
        self.remind_timer: Timer | None = None  # the screen-work break
        self.work_started: float | None = None  # start of the current stretch of screen work
        self.whisper_call: CallRun | None = None  # connect this call when the whisper ends


class CallRun:
    __slots__ = (
        "announce_timer", "campaign", "consult_of", "dial", "done", "entered", "epoch", "fallback",
        "leg", "menu", "menu_tries", "offered", "op", "owner", "queue", "record", "retry_timer",
        "service", "state", "tier_timer", "timer", "tried", "wait_timer",
    )  # fmt: skip

    def __init__(self, leg: LegId, record: CallRecord) -> None:
        self.leg = leg
        self.record = record
        self.queue: QueueRun | None = None
        self.campaign: CampaignRun | None = None
        self.dial: Dial | None = None
        self.owner: OpRun | None = None  # preview and manual: the operator who dialed
        self.service: ServiceConfig | None = None
        self.menu: IvrMenu | None = None
        self.menu_tries = 0
        self.fallback = ""  # keying an operator's code: the queue if the code finds nobody
        self.state = ""  # inbound flow: welcome, menu, code, queued, announce, ended
        self.op: OpRun | None = None
        self.done = False  # no longer waiting for an operator (hung up or abandoned)
        self.timer: Timer | None = None  # outbound: abandon after the grace time
        self.entered = 0.0  # when it entered its current queue
        self.offered: list[OpRun] = []  # operators it rings to now
        self.tried: set[str] = set()  # operators who missed it in this cycle
        self.epoch = 0  # the queue's cycle `tried` belongs to
        self.wait_timer: Timer | None = None
        self.tier_timer: Timer | None = None
        self.retry_timer: Timer | None = None
        self.announce_timer: Timer | None = None
        self.consult_of: OpRun | None = None  # this leg is an operator's consultation call
