"""The group tree's rules: paths, moves, kinds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from centralino.domain.errors import Conflict, InvalidInput
from centralino.domain.org import Group, GroupKind, check_kind_under, check_move, child_path

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def g(gid: int, path: str, parent: int | None = 1, company: int = 1) -> Group:
    kind = GroupKind.COMPANY if parent is None else GroupKind.TEAM
    return Group(gid, company, parent, f"g{gid}", kind, path, NOW)


def test_paths_and_depth() -> None:
    assert child_path("/1/4/", 9) == "/1/4/9/"
    grp = g(9, "/1/4/9/", parent=4)
    assert grp.depth == 2 and grp.ancestor_ids == [1, 4]
    assert g(1, "/1/", parent=None).depth == 0


def test_move_under_own_descendant_is_refused() -> None:
    with pytest.raises(Conflict) as err:
        check_move(g(4, "/1/4/"), g(9, "/1/4/9/", parent=4))
    assert err.value.field == "parent_id"
    with pytest.raises(Conflict):
        check_move(g(4, "/1/4/"), g(4, "/1/4/"))


def test_move_across_companies_or_of_root_is_refused() -> None:
    with pytest.raises(InvalidInput):
        check_move(g(4, "/1/4/"), g(20, "/20/", parent=None, company=2))
    with pytest.raises(InvalidInput):
        check_move(g(1, "/1/", parent=None), g(4, "/1/4/"))


def test_move_elsewhere_is_fine() -> None:
    check_move(g(4, "/1/4/"), g(5, "/1/5/"))
    check_move(g(9, "/1/4/9/", parent=4), g(1, "/1/", parent=None))


def test_kind_rules() -> None:
    with pytest.raises(InvalidInput):
        check_kind_under(GroupKind.COMPANY, g(1, "/1/", parent=None))
    with pytest.raises(InvalidInput):
        check_kind_under(GroupKind.TEAM, None)
    check_kind_under(GroupKind.PARTNER, g(1, "/1/", parent=None))
