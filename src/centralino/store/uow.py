"""Unit of work: one transaction, the repositories on it, and the events it produced.

Rolls back unless `commit()` is called; events are handed to the bus only after commit,
so a subscriber never sees a change that did not happen.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from centralino.domain.events import Event
from centralino.store.repos.audit import AuditRepo
from centralino.store.repos.auth import LoginFailureRepo, SessionRepo, TokenRepo
from centralino.store.repos.callbacks import CallbackRepo
from centralino.store.repos.calls import CallRepo, OperatorStateRepo
from centralino.store.repos.campaigns import CampaignRepo
from centralino.store.repos.clients import ClientRepo
from centralino.store.repos.dialing import DialingRepo
from centralino.store.repos.dnc import DncRepo
from centralino.store.repos.inbound_services import ServiceRepo
from centralino.store.repos.orders import OrderRepo
from centralino.store.repos.org import CompanyRepo, GroupRepo
from centralino.store.repos.outcomes import OutcomeRepo
from centralino.store.repos.pauses import PauseReasonRepo
from centralino.store.repos.queues import QueueRepo
from centralino.store.repos.roles import RoleDefinitionRepo
from centralino.store.repos.scripts import ScriptRepo
from centralino.store.repos.service_levels import ServiceLevelRepo
from centralino.store.repos.users import UserRepo


class UnitOfWork:
    conn: Connection

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.events: list[Event] = []
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        self.conn.begin()
        c = self.conn
        self.companies = CompanyRepo(c)
        self.groups = GroupRepo(c)
        self.clients = ClientRepo(c)
        self.users = UserRepo(c)
        self.roles = RoleDefinitionRepo(c)
        self.sessions = SessionRepo(c)
        self.tokens = TokenRepo(c)
        self.login_failures = LoginFailureRepo(c)
        self.audit = AuditRepo(c)
        self.campaigns = CampaignRepo(c)
        self.outcomes = OutcomeRepo(c)
        self.callbacks = CallbackRepo(c)
        self.dialing = DialingRepo(c)
        self.dnc = DncRepo(c)
        self.queues = QueueRepo(c)
        self.services = ServiceRepo(c)
        self.pause_reasons = PauseReasonRepo(c)
        self.operator_states = OperatorStateRepo(c)
        self.calls = CallRepo(c)
        self.service_levels = ServiceLevelRepo(c)
        self.orders = OrderRepo(c)
        self.scripts = ScriptRepo(c)
        return self

    def commit(self) -> None:
        self.conn.commit()
        self._committed = True

    def rollback(self) -> None:
        self.conn.rollback()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()

    def collect_events(self) -> list[Event]:
        """Events of a committed unit, handed out once."""
        if not self._committed:
            return []
        events, self.events = self.events, []
        return events
