"""Setup pages: the index and the sub-navigation shared by the inbound configuration
(`setup_queues.py`, `setup_services.py`) and list pages (`setup_lists.py`), and the
small form helpers they share: what was typed is kept, errors are kept by field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from centralino.domain.access import Principal
from centralino.domain.org import Group
from centralino.domain.roles import Permission
from centralino.services.auth import Identity
from centralino.web.i18n import N_
from centralino.web.render import ctx_of, page_identity, render

router = APIRouter(include_in_schema=False)
P = Permission

PAGE_ACCESS: dict[str, str] = {"/setup": "authenticated"}


@dataclass(frozen=True, slots=True)
class Section:
    href: str
    label: str
    permission: Permission
    about: str


# Labels are msgids, translated in the templates.
SECTIONS: tuple[Section, ...] = (
    Section(
        "/setup/queues", N_("Queues and tiers"), P.SERVICES_READ,
        N_("Waiting lines, their strategy, limits and overflow, and their operators by tier."),
    ),
    Section(
        "/setup/services", N_("Services and IVR"), P.SERVICES_READ,
        N_("The numbers callers dial, opening hours, prompts, screen pop and IVR menus."),
    ),
    Section(
        "/setup/pause-reasons", N_("Pause reasons"), P.SERVICES_READ,
        N_("The reasons operators give when they pause, with their time limits."),
    ),
    Section(
        "/setup/scripts", N_("Call scripts"), P.CAMPAIGNS_READ,
        N_("The questions operators read in a call, their answers and where each leads."),
    ),
    Section(
        "/setup/dnc", N_("Do-not-call lists"), P.CAMPAIGNS_READ,
        N_("Numbers never dialled again: the company's list and each campaign's."),
    ),
    Section(
        "/setup/order-forms", N_("Order forms"), P.CAMPAIGNS_READ,
        N_("Each campaign's order form (PDA), filled in by the operator during the call."),
    ),
)  # fmt: skip


def sections_for(principal: Principal) -> list[Section]:
    return [s for s in SECTIONS if principal.has_anywhere(s.permission)]


def setup_render(
    request: Request, template: str, me: Identity, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A setup page with its sub-navigation (only the sections the viewer may open)."""
    return render(
        request, template, me, status_code=status_code,
        sections=sections_for(me.principal), **context,
    )  # fmt: skip


@router.get("/setup", response_class=HTMLResponse)
def setup_index(request: Request) -> Response:
    me = page_identity(request)
    return setup_render(request, "setup.html", me)


# --- forms ---


@dataclass(slots=True)
class FormState:
    """A form as typed, so a refused form comes back as the user left it, with errors by
    field ("form" for the ones that belong to no single field)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def text(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name, "")
    return value.strip()[:limit] if isinstance(value, str) else ""


def number(
    f: FormState, name: str, raw: str, *, whole: bool = False, scale: float = 1.0
) -> float | int | None:
    """A number typed in the form (comma or point), None when left empty; an error on the
    field when it is not a number."""
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    try:
        if whole:
            return int(raw)
        return round(float(raw) * scale, 6)
    except ValueError:
        f.error(name, "enter a whole number" if whole else "enter a number")
        return None


def int_or_none(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() else None


def writable_groups(request: Request, principal: Principal, perm: Permission) -> list[Group]:
    """The groups where the caller holds `perm`, in tree order: owners for a new object."""
    with ctx_of(request).uow() as uow:
        return uow.groups.list(principal.visibility(perm), 5000, 0).items


def group_names(request: Request, ids: set[int]) -> dict[int, str]:
    """Names of the groups owning objects the caller may read (shown, not listed)."""
    with ctx_of(request).uow() as uow:
        return {i: g.name for i in ids if (g := uow.groups.get(i)) is not None}
