"""The per-campaign compliance report (OUT-5, OUT-10): the preset the campaign runs under,
its abandon rate over every window a regulator measures, and the rules that allowed
each dial, so a manager can prove the campaign stayed inside the rules.

Italy counts silent calls per 100 answered over the campaign, the UK over 24 hours, the
USA over 30 days; the report gives all of them and says which one governs the preset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from centralino.domain.access import Principal
from centralino.domain.outbound.campaign import Campaign
from centralino.domain.outbound.compliance import PRESETS, CapWindow, CompliancePreset
from centralino.services.campaigns import readable_campaign
from centralino.services.context import ServiceContext
from centralino.store.repos.compliance import Block, ComplianceRepo

BLOCK = 100  # answered calls per block: "3 silent calls per 100 answered"
DAY = timedelta(hours=24)
MONTH = timedelta(days=30)
_EPSILON = 1e-9


def effective_cap(c: Campaign, preset: CompliancePreset) -> float:
    """The campaign's own cap, which may only tighten the preset's (custom: its own)."""
    if c.compliance == "custom":
        return c.max_abandon_rate
    return min(c.max_abandon_rate, preset.abandon_cap)


def _rate(answered: int, abandoned: int) -> float:
    return round(abandoned / answered, 6) if answered else 0.0


def _window(answered: int, abandoned: int, cap: float, since: datetime | None) -> dict[str, Any]:
    return {
        "since": since,
        "answered": answered,
        "abandoned": abandoned,
        "rate": _rate(answered, abandoned),
        "within_cap": abandoned <= cap * answered + _EPSILON,
    }


def _block(b: Block, cap: float) -> dict[str, Any]:
    """A block is within the cap while its abandons stay under the cap of a full block:
    an incomplete block that already has too many cannot come back under it."""
    return {
        "first_call": b.index * BLOCK + 1,
        "last_call": b.index * BLOCK + b.answered,
        "answered": b.answered,
        "abandoned": b.abandoned,
        "rate": _rate(b.answered, b.abandoned),
        "within_cap": b.abandoned <= cap * BLOCK + _EPSILON,
    }


def preset_view(p: CompliancePreset) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "abandon_cap": p.abandon_cap,
        "cap_window": p.cap_window.value,
        "abandon_after_seconds": p.abandon_after.total_seconds(),
        "treatment": p.treatment.value,
        "redial_lockout_seconds": p.redial_lockout.total_seconds(),
        "min_ring_seconds": p.min_ring.total_seconds(),
        "amd_false_positive_is_abandon": p.amd_false_positive_is_abandon,
        "operator_guaranteed_after_abandon": p.operator_guaranteed_after_abandon,
        "holiday_country": p.holiday_country,
        "legal_hours": {k.value: (str(h) if h else None) for k, h in p.hours.items()},
    }


def _per_hundred(blocks: list[Block], cap: float) -> dict[str, Any]:
    complete = [b for b in blocks if b.answered == BLOCK]
    current = blocks[-1] if blocks and blocks[-1].answered < BLOCK else None
    worst = max(blocks, key=lambda b: (b.abandoned, -b.index), default=None)
    return {
        "size": BLOCK,
        "complete_blocks": len(complete),
        "last_complete": _block(complete[-1], cap) if complete else None,
        "worst": _block(worst, cap) if worst else None,
        "current": _block(current, cap) if current else None,
    }


def compliance_report(
    ctx: ServiceContext, principal: Principal, campaign_id: int
) -> dict[str, object]:
    """Figures from the attempts table at `ctx.now()`; needs campaigns.read on the campaign."""
    now = ctx.now()
    with ctx.uow() as uow:
        c = readable_campaign(uow, principal, campaign_id)
        preset = PRESETS[c.compliance]
        repo = ComplianceRepo(uow.conn)
        whole = repo.abandon_counts(c.id)
        day = repo.abandon_counts(c.id, now - DAY)
        month = repo.abandon_counts(c.id, now - MONTH)
        blocks = repo.blocks(c.id, BLOCK)
        rules = repo.rules(c.id, now - DAY)
    cap = effective_cap(c, preset)
    windows = {
        CapWindow.CAMPAIGN.value: _window(*whole, cap, None),
        CapWindow.DAY.value: _window(*day, cap, now - DAY),
        CapWindow.MONTH.value: _window(*month, cap, now - MONTH),
    }
    per_hundred = _per_hundred(blocks, cap)
    governing = windows[preset.cap_window.value]
    within = bool(governing["within_cap"])
    if preset.cap_window is CapWindow.CAMPAIGN and per_hundred["worst"] is not None:
        within = within and bool(per_hundred["worst"]["within_cap"])
    return {
        "campaign_id": c.id,
        "campaign_name": c.name,
        "generated_at": now,
        "preset": preset_view(preset),
        "cap": cap,
        "campaign_cap": c.max_abandon_rate,
        "governing_window": preset.cap_window.value,
        "within_cap": within,
        "windows": windows,
        "per_100_answered": per_hundred,
        "dials_24h": sum(n for _, n in rules),
        "rules_24h": [{"rule": rule, "attempts": n} for rule, n in rules],
    }
