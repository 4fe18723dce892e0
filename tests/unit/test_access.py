"""Permission rules of ORG-2: subtree scope, company isolation, clients, no escalation."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from centralino.domain.access import Place, Principal, minimal_paths
from centralino.domain.org import is_within
from centralino.domain.roles import DEFAULT_PERMISSIONS, Permission, Role
from centralino.domain.users import Grant

P = Permission


def principal(
    *grants: tuple[Role, str], company: int = 1, client_id: int | None = None
) -> Principal:
    return Principal(
        user_id=7,
        username="u",
        company_id=company,
        group_id=2,
        group_path="/1/2/",
        client_id=client_id,
        grants=tuple(Grant(i, 7, r, 0, p) for i, (r, p) in enumerate(grants)),
    )


def test_grant_reaches_its_subtree_only() -> None:
    p = principal((Role.GROUP_ADMIN, "/1/2/"))
    assert p.can(P.USERS_WRITE, Place(1, "/1/2/"))
    assert p.can(P.USERS_WRITE, Place(1, "/1/2/5/9/"))
    assert not p.can(P.USERS_WRITE, Place(1, "/1/3/"))
    assert not p.can(P.USERS_WRITE, Place(1, "/1/"))


def test_prefix_of_an_id_is_not_a_subtree() -> None:
    p = principal((Role.GROUP_ADMIN, "/1/2/"))
    assert not p.can(P.USERS_READ, Place(1, "/1/23/"))


def test_other_company_is_invisible_even_with_same_path() -> None:
    p = principal((Role.GROUP_ADMIN, "/1/"))
    assert not p.can(P.GROUPS_READ, Place(2, "/1/"))


def test_system_admin_reaches_every_company() -> None:
    p = principal((Role.SYSTEM_ADMIN, "/1/"))
    assert p.can(P.COMPANIES_MANAGE, Place(99, "/500/"))
    assert p.visibility(P.USERS_READ).all_companies


def test_operator_cannot_administer() -> None:
    p = principal((Role.OPERATOR, "/1/"))
    assert not any(
        p.can(perm, Place(1, "/1/"))
        for perm in (P.USERS_READ, P.GROUPS_WRITE, P.ROLES_ASSIGN, P.AUDIT_READ)
    )
    assert p.can(P.CALLS_HANDLE, Place(1, "/1/4/"))


def test_client_sees_only_objects_of_its_client() -> None:
    p = principal((Role.CLIENT, "/1/"), client_id=5)
    assert p.can(P.CAMPAIGNS_READ, Place(1, "/1/3/", client_id=5))
    assert not p.can(P.CAMPAIGNS_READ, Place(1, "/1/3/", client_id=6))
    assert not p.can(P.CAMPAIGNS_READ, Place(1, "/1/3/", client_id=None))
    assert not p.can(P.CAMPAIGNS_WRITE, Place(1, "/1/3/", client_id=5))
    vis = p.visibility(P.CAMPAIGNS_READ)
    assert vis.paths == () and vis.client_paths == ("/1/",) and vis.client_id == 5


def test_client_role_without_client_sees_nothing() -> None:
    p = principal((Role.CLIENT, "/1/"), client_id=None)
    assert not p.can(P.STATS_READ, Place(1, "/1/", client_id=None))
    assert p.visibility(P.STATS_READ).nothing


def test_several_roles_add_up() -> None:
    p = principal((Role.OPERATOR, "/1/2/"), (Role.SUPERVISOR, "/1/3/"))
    assert p.can(P.CALLS_HANDLE, Place(1, "/1/2/"))
    assert p.can(P.REALTIME_READ, Place(1, "/1/3/8/"))
    assert not p.can(P.REALTIME_READ, Place(1, "/1/2/"))


def test_group_admin_cannot_mint_system_admin_or_grant_outside() -> None:
    p = principal((Role.GROUP_ADMIN, "/1/2/"))
    assert not p.may_grant(Role.SYSTEM_ADMIN, Place(1, "/1/2/"))
    assert p.may_grant(Role.GROUP_ADMIN, Place(1, "/1/2/4/"))
    assert p.may_grant(Role.OPERATOR, Place(1, "/1/2/"))
    assert not p.may_grant(Role.OPERATOR, Place(1, "/1/3/"))


def test_cannot_grant_powers_one_lacks_there() -> None:
    # A group admin of a team holds nothing at the parent site: cannot grant there.
    p = principal((Role.GROUP_ADMIN, "/1/2/4/"))
    assert not p.may_grant(Role.TEAM_LEADER, Place(1, "/1/2/"))


def test_may_manage_user_only_if_each_of_its_roles_could_be_granted() -> None:
    p = principal((Role.GROUP_ADMIN, "/1/2/"))
    target = Place(1, "/1/2/4/")
    operator = Grant(1, 9, Role.OPERATOR, 4, "/1/2/4/")
    sysadmin = Grant(2, 9, Role.SYSTEM_ADMIN, 4, "/1/2/4/")
    elsewhere = Grant(3, 9, Role.SUPERVISOR, 3, "/1/3/")
    assert p.may_manage_user(target, [operator])
    assert not p.may_manage_user(target, [operator, sysadmin])
    assert not p.may_manage_user(target, [operator, elsewhere])


def test_configured_role_definitions_replace_defaults() -> None:
    custom = dict(DEFAULT_PERMISSIONS)
    custom[Role.OPERATOR] = frozenset({P.CALLS_HANDLE, P.USERS_READ})
    p = Principal(7, "u", 1, 2, "/1/2/", None, (Grant(1, 7, Role.OPERATOR, 2, "/1/2/"),), custom)
    assert p.can(P.USERS_READ, Place(1, "/1/2/3/"))


def test_minimal_paths_drops_covered_paths() -> None:
    assert minimal_paths(["/1/2/", "/1/2/3/", "/1/4/", "/1/4/"]) == ("/1/2/", "/1/4/")


paths = st.lists(st.integers(1, 6), min_size=1, max_size=5).map(
    lambda ids: "/" + "/".join(map(str, ids)) + "/"
)


@given(
    grant_paths=st.lists(paths, min_size=1, max_size=4), target=paths, role=st.sampled_from(Role)
)
def test_can_equals_some_grant_covering_the_place(
    grant_paths: list[str], target: str, role: Role
) -> None:
    """For non-client roles, `can` holds exactly when a grant with the permission covers the place."""
    if role in (Role.CLIENT, Role.SYSTEM_ADMIN):
        return
    p = principal(*[(role, gp) for gp in grant_paths])
    for perm in Permission:
        expected = perm in DEFAULT_PERMISSIONS[role] and any(
            is_within(target, g) for g in grant_paths
        )
        assert p.can(perm, Place(1, target)) is expected
        vis = p.visibility(perm)
        assert any(is_within(target, v) for v in vis.paths) is expected
