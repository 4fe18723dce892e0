"""The client portal: what a client user's home page shows (issue 7): the campaigns run for
its client with their progress and today's figures, and the services that serve it with
today's service level, read-only; the rest is on the Campaigns, Reports and Service levels
pages, which show a client user its own client's objects only."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from centralino.services import campaigns, outcomes, service_levels
from centralino.services.auth import Identity
from centralino.web.campaigns import STATE_LABELS, live_figures
from centralino.web.render import ctx_of, locale_of, user_timezone
from centralino.web.statistics import LEVEL_LABELS

MAX_CAMPAIGNS = 50


def portal(request: Request, me: Identity) -> dict[str, Any] | None:
    """The portal's figures for a client user; None for everybody else."""
    actor = me.principal
    if actor.client_id is None:
        return None
    ctx = ctx_of(request)
    tz, locale = user_timezone(request, me), locale_of(request, me)
    shown = []
    for c in campaigns.list_campaigns(ctx, actor, MAX_CAMPAIGNS, 0, None).items:
        f = live_figures(ctx, actor, c, outcomes.list_outcomes(ctx, actor, c.id), tz, locale)
        shown.append({"campaign": c, "figures": f, "state_label": STATE_LABELS[c.state]})
    _, days = service_levels.day_status(ctx, actor, actor.company_id)
    services = [d.as_json() for d in days]
    return {"campaigns": shown, "services": services, "levels": LEVEL_LABELS}
