"""The demo's call scripts (OUT-6): the offer read in the Acme Energia campaign's calls, and
the customer line's greeting. Italian, as the demo company is."""

from __future__ import annotations

from typing import Any

from centralino.domain.access import Principal
from centralino.services import scripts
from centralino.services.context import ServiceContext

OFFER_SCRIPT = "Acme Energia: offerta casa"
CARE_SCRIPT = "Linea clienti: accoglienza"

OFFER_STEPS: list[dict[str, Any]] = [
    {"id": "saluto", "kind": "none", "next": "interesse",
     "text": "Buongiorno {Nome}, sono di Acme Energia. La chiamo per una nuova offerta per "
             "la luce e il gas di casa a {Città}: ha due minuti?"},
    {"id": "interesse", "kind": "choice",
     "text": "Quanto spende in media ogni mese per luce e gas?",
     "options": [
         {"value": "meno_80", "label": "Meno di 80 €", "next": "offerta"},
         {"value": "80_150", "label": "Da 80 a 150 €", "next": "offerta"},
         {"value": "oltre_150", "label": "Più di 150 €", "next": "offerta"},
         {"value": "non_interessato", "label": "Non interessato", "outcome": "not_interested"},
     ]},
    {"id": "offerta", "kind": "yes_no",
     "text": "Con Acme Casa paga un prezzo fisso per 24 mesi e il primo mese è gratis. "
             "Le piacerebbe un appuntamento con un nostro consulente per un preventivo?",
     "options": [
         {"value": "yes", "label": "Sì", "next": "quando"},
         {"value": "no", "label": "No", "next": "richiamo"},
     ]},
    {"id": "quando", "kind": "date", "outcome": "positive",
     "text": "Perfetto! Che giorno preferisce per l'appuntamento?"},
    {"id": "richiamo", "kind": "yes_no",
     "text": "Nessun problema. Possiamo richiamarla più avanti?",
     "options": [
         {"value": "yes", "label": "Sì", "outcome": "callback"},
         {"value": "no", "label": "No", "outcome": "not_interested"},
     ]},
]  # fmt: skip

CARE_STEPS: list[dict[str, Any]] = [
    {"id": "saluto", "kind": "none", "next": "motivo",
     "text": "{service}, buongiorno! Sono l'operatore del servizio clienti. Vedo che chiama "
             "dal numero {number}: come posso aiutarla?"},
    {"id": "motivo", "kind": "choice", "text": "Di cosa ha bisogno il cliente?",
     "options": [
         {"value": "bolletta", "label": "Bolletta", "next": "codice"},
         {"value": "guasto", "label": "Guasto", "next": "codice"},
         {"value": "altro", "label": "Altro", "next": "note"},
     ]},
    {"id": "codice", "kind": "text",
     "text": "Mi può dire il suo codice cliente? Lo trova in alto a destra sulla bolletta.",
     "next": "risolto"},
    {"id": "note", "kind": "text", "required": False, "next": "risolto",
     "text": "Annoti la richiesta del cliente."},
    {"id": "risolto", "kind": "yes_no", "text": "La richiesta è risolta?",
     "options": [
         {"value": "yes", "label": "Sì", "outcome": "resolved"},
         {"value": "no", "label": "No", "outcome": "ticket"},
     ]},
]  # fmt: skip


def seed_demo_scripts(
    ctx: ServiceContext, actor: Principal, campaign_id: int, campaign_team: int,
    service_name: str, care_team: int,
) -> None:  # fmt: skip
    """The campaign's script in its team, the customer line's in the help desk."""
    scripts.create_script(
        ctx, actor,
        {"name": OFFER_SCRIPT, "group_id": campaign_team, "steps": OFFER_STEPS,
         "campaign_ids": [campaign_id]},
    )  # fmt: skip
    with ctx.uow() as uow:
        service = uow.services.by_name(actor.company_id, service_name)
    scripts.create_script(
        ctx, actor,
        {"name": CARE_SCRIPT, "group_id": care_team, "steps": CARE_STEPS,
         "service_ids": [service.id] if service else []},
    )  # fmt: skip
