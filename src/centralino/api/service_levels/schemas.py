"""Bodies for service levels (QA-1), validated by `ServiceLevelPolicy.validate`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from centralino.api.schemas_base import Body, Out


class CriteriaIn(Body):
    answer_within: int = Field(description="Seconds: a call answered within them counts")
    answered_share: float = Field(description="Share of the offered calls, 0 to 1 (0.8 = 80%)")
    max_abandon_rate: float | None = Field(None, description="0 to 1; leave out: not judged")
    max_average_wait: float | None = Field(None, description="Seconds; leave out: not judged")


class PolicyIn(Body):
    minimum: CriteriaIn = Field(description="Below any of these the service level is missed")
    target: CriteriaIn = Field(description="At least as demanding as the minimum")


class PolicyOut(Out):
    service_id: int
    policy: dict[str, Any] | None = Field(description="null: no service level set")


class StatusOut(Out):
    company_id: int
    day: str = Field(description="The local day, YYYY-MM-DD, in the company's time zone")
    items: list[dict[str, Any]] = Field(
        description="Each service the caller may read statistics of: figures so far, its "
        "service level and verdict (met, minimum, missed, no_calls), and the same per hour"
    )
    alerts: list[dict[str, Any]] = Field(description="The day's verdict changes, newest first")
