"""Turn a principal's Visibility into a SQL condition on a group path column."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true

from centralino.domain.access import Visibility


def subtree(path_col: Any, path: str) -> ColumnElement[bool]:
    # Paths hold only digits and '/', so LIKE needs no escaping.
    return path_col.like(f"{path}%")  # type: ignore[no-any-return]


def visible(
    vis: Visibility, company_col: Any, path_col: Any, client_col: Any | None = None
) -> ColumnElement[bool]:
    if vis.all_companies:
        return true()
    conds: list[ColumnElement[bool]] = [subtree(path_col, p) for p in vis.paths]
    if client_col is not None and vis.client_id is not None:
        conds += [and_(subtree(path_col, p), client_col == vis.client_id) for p in vis.client_paths]
    if not conds:
        return false()
    return and_(company_col == vis.company_id, or_(*conds))
