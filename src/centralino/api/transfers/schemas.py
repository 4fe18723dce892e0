"""Transfer targets as the operator panel reads them."""

from __future__ import annotations

from pydantic import BaseModel


class ColleagueOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    group_name: str
    operator_supervisor: bool
    state: str | None
    target: str  # what to pass as the transfer target: operator:<user id>


class TransferTargetsOut(BaseModel):
    items: list[ColleagueOut]
    queues: list[str]
