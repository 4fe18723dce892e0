"""Bodies for do-not-call lists."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from centralino.api.schemas_base import Body, Out

Region = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]


class DncIn(Body):
    phone: str = Field(min_length=1, max_length=64, description="Any format; stored as E.164")
    campaign_id: int | None = Field(
        None, description="The campaign's list; empty for the company-wide list"
    )
    company_id: int | None = Field(
        None, description="Company-wide list of this company (system admins); default: yours"
    )
    region: Region | None = Field(
        None, description="For numbers without +: default the campaign's or company's country"
    )


class DncOut(Out):
    id: int
    company_id: int
    campaign_id: int | None
    campaign_name: str | None
    phone: str
    source: str
    created_at: datetime


class RejectedRowOut(Out):
    row: int
    value: str
    reason: str


class DncImportOut(Out):
    filename: str
    company_id: int
    campaign_id: int | None
    region: str
    rows_read: int
    added: int
    already_present: int
    rejected: int
    rejections: list[RejectedRowOut] = Field(description="The first 1000 rejected rows")
    rejections_truncated: bool
