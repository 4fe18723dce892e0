"""Bot operators: they log in, take calls, do their after-call work, pause and log out.

They act only through the engine's operator panel methods, as a person at the web panel
would, so a whole center runs unattended.
"""

from __future__ import annotations

import random

from centralino.domain.call_record import CallRecord
from centralino.engine.center import Center, Dial
from centralino.engine.clock import Clock
from centralino.sim.distributions import Duration, Sampler, sampler
from centralino.sim.scenario import Team


class BotTeam:
    """The bots of one scenario team."""

    def __init__(
        self,
        clock: Clock,
        center: Center,
        team: Team,
        operator_ids: list[str],
        positive_share: dict[str, float],
        seed: str,
        preview: Duration = 0.0,
    ) -> None:
        self.clock = clock
        self.center = center
        self.team = team
        self.ids = operator_ids
        self.positive_share = positive_share  # by queue or campaign name
        self._rng = random.Random(seed)
        self._wrap: Sampler = sampler(team.wrap_up, self._rng)
        self._pause_seconds = team.pauses.minutes * 60
        self._preview: Sampler = sampler(preview, self._rng)

    def schedule(self, start: float, hours: float) -> None:
        """Log in at the start, ask for pauses at random moments, log out at the end."""
        rng = self._rng
        shift_start = start + self.team.start_offset_minutes * 60
        length = (self.team.hours or hours) * 3600
        for op in self.ids:
            self.clock.call_at(shift_start + rng.uniform(0, 30), self.center.login, op)
            for _ in range(self.team.pauses.count):
                at = shift_start + rng.uniform(0.1, 0.9) * length
                self.clock.call_at(at, self.center.pause, op)
            self.clock.call_at(shift_start + length, self.center.logout, op)

    def paused(self, op_id: str) -> None:
        """The pause began (at once, or after the call in hand): back after its length."""
        self.clock.call_later(self._pause_seconds, self.center.resume, op_id)

    def previewing(self, op_id: str) -> None:
        """A record is on the screen: read it, then call."""
        self.clock.call_later(self._preview(), self.center.dial_preview, op_id)

    def wrap_up(self, op_id: str, record: CallRecord) -> None:
        positive = self._rng.random() < self.positive_share.get(record.queue, 0.0)
        self.clock.call_later(
            self._wrap(), self.center.finish_wrap_up, op_id, "sale" if positive else "done",
            positive,
        )  # fmt: skip


class Bots:
    """Routes the engine's operator notifications to the team each bot belongs to."""

    def __init__(self, center: Center) -> None:
        self._team_of: dict[str, BotTeam] = {}
        center.wrap_up_listeners.append(self._wrap_up)
        center.paused_listeners.append(self._paused)
        center.preview_listeners.append(self._previewing)

    def add(self, team: BotTeam) -> None:
        for op in team.ids:
            self._team_of[op] = team

    def _wrap_up(self, op_id: str, record: CallRecord) -> None:
        team = self._team_of.get(op_id)
        if team is not None:
            team.wrap_up(op_id, record)

    def _previewing(self, op_id: str, _dial: Dial) -> None:
        team = self._team_of.get(op_id)
        if team is not None:
            team.previewing(op_id)

    def _paused(self, op_id: str) -> None:
        team = self._team_of.get(op_id)
        if team is not None:
            team.paused(op_id)
