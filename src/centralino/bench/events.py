"""Operator panel latency: from a state change in the engine to its receipt by the panel.

The real server (`bench/server.py`) with a company of operators, each logged in through
the login API with their own cookie session and on the live engine's phone. First the
panel as it is: one WebSocket on /api/v1/events per operator, all in this one process;
the benchmark pauses and readies the operators' phones through /api/v1/me/phone at a
fixed rate, and times each `phone.state` event from its `at` (the engine's clock when
the state changed) to its arrival here (the same machine's clock). Then the baseline,
the panel's previous design: a share of the operators read GET /api/v1/me/phone every
second while their state changes every 2 to 4 s; a change is seen by the first answer
whose `since` (the same engine time) is new, and timed from that `since`.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx2
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from centralino.api.deps import SESSION_COOKIE
from centralino.bench.latency import Latency
from centralino.domain.roles import Role
from centralino.services import org, users
from centralino.services.context import ServiceContext
from centralino.services.users import GrantRequest

COMPANY = "Benchmark Center"
PASSWORD = "bench-password-0"
API = "/api/v1"
DRAIN_SECONDS = 10.0  # how long the last events may take before they count as lost
SPACING = (2.0, 4.0)  # seconds between two changes of a polled operator


class BenchError(RuntimeError):
    """The server refused or broke something the benchmark needs."""


@dataclass(slots=True)
class Operator:
    username: str
    cookie: str = ""
    csrf: str = ""
    state: str = "logged_out"  # as the API last answered
    seen: str = "logged_out"  # as the event stream last said
    expected: list[str] = field(default_factory=list)  # states the changes asked for
    received: list[str] = field(default_factory=list)  # states the event stream brought
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ws: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"cookie": f"{SESSION_COOKIE}={self.cookie}", "x-csrf-token": self.csrf}


@dataclass(slots=True)
class DesignRun:
    """One design of the panel: how fast its clients learnt of the changes."""

    name: str
    clients: int
    changes: int = 0  # state changes made through the API
    received: int = 0  # of them, seen by their operator's client
    mismatched: int = 0  # seen, but not the state the change asked for
    latency: Latency = field(default_factory=lambda: Latency("state change -> receipt"))
    requests: Latency = field(default_factory=lambda: Latency("API requests"))

    @property
    def lost(self) -> int:
        return self.changes - self.received

    def figures(self) -> dict[str, Any]:
        lat = self.latency
        has = bool(lat.samples_ns)
        return {
            "name": self.name, "clients": self.clients, "changes": self.changes,
            "received": self.received, "lost": self.lost, "mismatched": self.mismatched,
            **{f"p{p}_ms": lat.pct_ms(p) if has else None for p in (50, 95, 99)},
            "max_ms": lat.pct_ms(100) if has else None,
            "requests_p50_ms": self.requests.pct_ms(50) if self.requests.samples_ns else None,
            "requests_p99_ms": self.requests.pct_ms(99) if self.requests.samples_ns else None,
        }  # fmt: skip


def seed(ctx: ServiceContext, count: int) -> list[str]:
    """A company with `count` operators on its root group; their usernames."""
    company, root = org.create_company(ctx, None, COMPANY, "Europe/Rome", "en")
    names = [f"op{i:04d}" for i in range(1, count + 1)]
    for i, name in enumerate(names, 1):
        users.create_user(
            ctx, None, group_id=root.id, username=name, display_name=f"Operator {i}",
            password=PASSWORD, roles=[GrantRequest(Role.OPERATOR, root.id)],
            trusted_company_id=company.id,
        )  # fmt: skip
    return names


def raise_file_limit(needed: int) -> None:
    """Each client holds a socket here and one in the server (a child: it inherits)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise BenchError(f"--clients: needs {needed} open files, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _at(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


class Bench:
    def __init__(self, url: str, operators: list[Operator], seed: int = 7) -> None:
        self.url = url
        self.ops = operators
        self.rng = random.Random(seed)
        self.measuring: DesignRun | None = None  # the run the event stream counts for
        self.http = httpx2.AsyncClient(
            base_url=url + API, timeout=60.0,
            # idle connections dropped here before the server's keep-alive (5 s) closes
            # them, or a request may go out on a connection closing under it
            limits=httpx2.Limits(
                max_connections=200, max_keepalive_connections=200, keepalive_expiry=2.0
            ),
        )  # fmt: skip

    async def close(self) -> None:
        await asyncio.gather(*(self._hang_up(op) for op in self.ops), return_exceptions=True)
        await self.http.aclose()

    # --- requests ---

    async def _call(self, op: Operator, method: str, path: str, **kw: Any) -> dict[str, Any]:
        r = await self.http.request(method, path, headers=op.headers, **kw)
        if r.status_code >= 400:
            detail = r.text[:300]
            raise BenchError(f"{method} {API}{path} as {op.username}: {r.status_code} {detail}")
        data: dict[str, Any] = r.json()
        return data

    async def toggle(self, op: Operator, run: DesignRun) -> None:
        """Pause a ready operator, ready a paused one; one change per operator at a time."""
        async with op.lock:
            to = "paused" if op.state == "ready" else "ready"
            op.expected.append(to)
            t0 = time.perf_counter_ns()
            if to == "paused":
                view = await self._call(op, "POST", "/me/phone/pause", json={})
            else:
                view = await self._call(op, "POST", "/me/phone/ready")
            run.requests.samples_ns.append(time.perf_counter_ns() - t0)
            run.changes += 1
            op.state = view["state"]
            if op.state != to:
                raise BenchError(f"{op.username}: asked for {to}, the API answered {op.state}")

    # --- the event stream ---

    async def _open(self, op: Operator) -> None:
        ws_url = self.url.replace("http://", "ws://", 1) + API + "/events"
        ws = await connect(
            ws_url, additional_headers={"cookie": op.headers["cookie"]}, open_timeout=60,
            ping_interval=None, close_timeout=5,
        )  # fmt: skip
        hello = json.loads(await ws.recv())
        if hello.get("kind") != "hello":
            raise BenchError(f"{op.username}: the event stream began with {hello!r}")
        op.ws = ws
        op.reader = asyncio.create_task(self._read(op, ws))

    async def _read(self, op: Operator, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                got = time.time()
                ev = json.loads(raw)
                if ev["kind"] != "phone.state":
                    continue
                state = ev["payload"]["state"]
                op.seen = state
                run = self.measuring
                if run is None:
                    continue
                op.received.append(state)
                run.latency.samples_ns.append(int((got - _at(ev["at"])) * 1e9))
        except ConnectionClosed:
            pass

    async def _hang_up(self, op: Operator) -> None:
        if op.ws is not None:
            await op.ws.close()
            op.ws = None
        if op.reader is not None:
            await op.reader
            op.reader = None

    async def _each(self, fn: Any, ops: list[Operator], at_once: int = 25) -> None:
        gate = asyncio.Semaphore(at_once)

        async def one(op: Operator) -> None:
            async with gate:
                await fn(op)

        await asyncio.gather(*(one(op) for op in ops))

    async def setup(self) -> None:
        """Everybody connected to the event stream, logged in to the phone and ready."""
        await self._each(self._login_and_open, self.ops)
        self.http.cookies.clear()  # the explicit cookie header names each request's session
        deadline = time.monotonic() + 60
        while any(op.seen != "ready" for op in self.ops):
            if time.monotonic() > deadline:
                late = [op.username for op in self.ops if op.seen != "ready"][:5]
                raise BenchError(f"no phone.state 'ready' within 60 s for {', '.join(late)}")
            await asyncio.sleep(0.05)
        for op in self.ops:
            op.state = "ready"

    async def _login_and_open(self, op: Operator) -> None:
        """The panel's user logs in (the login API, a cookie session of their own), opens
        the event stream, and logs in to the phone."""
        r = await self.http.post(
            "/auth/login", json={"username": op.username, "password": PASSWORD}
        )
        if r.status_code != 200:
            raise BenchError(f"login of {op.username}: {r.status_code} {r.text[:300]}")
        op.cookie = r.cookies[SESSION_COOKIE]
        op.csrf = r.json()["csrf_token"]
        await self._open(op)  # before the phone: its first state changes come this way
        view = await self._call(op, "POST", "/me/phone/login")
        op.state = view["state"]

    async def stream(self, changes: int, rate: float) -> DesignRun:
        """`changes` state changes at `rate` per second, the operators in turn."""
        run = DesignRun("event stream (WebSocket)", len(self.ops))
        for op in self.ops:
            op.expected.clear()
            op.received.clear()
        self.measuring = run
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for k in range(changes):
            wait = start + k / rate - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(self.toggle(self.ops[k % len(self.ops)], run)))
        await asyncio.gather(*tasks)
        deadline = loop.time() + DRAIN_SECONDS
        while loop.time() < deadline and any(
            len(op.received) < len(op.expected) for op in self.ops
        ):
            await asyncio.sleep(0.05)
        self.measuring = None
        for op in self.ops:
            run.received += min(len(op.received), len(op.expected))
            run.mismatched += sum(a != b for a, b in zip(op.expected, op.received, strict=False))
        return run

    # --- the baseline: polling ---

    async def polling(self, pollers: int, seconds: float, period: float = 1.0) -> DesignRun:
        """The panel's previous design: GET /me/phone every `period` seconds."""
        await asyncio.gather(*(self._hang_up(op) for op in self.ops))
        ops = self.ops[:pollers]
        run = DesignRun(f"polling GET /me/phone every {period:g} s", len(ops))
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        stop = asyncio.Event()

        async def poll(op: Operator) -> None:
            last = (await self._call(op, "GET", "/me/phone"))["since"]
            next_at = loop.time() + self.rng.random() * period
            while not stop.is_set():
                await asyncio.sleep(max(0.0, next_at - loop.time()))
                next_at = max(next_at + period, loop.time())  # as setInterval: no catching up
                t0 = time.perf_counter_ns()
                view = await self._call(op, "GET", "/me/phone")
                got = time.time()
                run.requests.samples_ns.append(time.perf_counter_ns() - t0)
                if view["since"] != last:
                    last = view["since"]
                    run.received += 1
                    run.latency.samples_ns.append(int((got - _at(last)) * 1e9))

        changes = DesignRun("changes", len(ops))

        async def drive(op: Operator) -> None:
            while True:
                await asyncio.sleep(self.rng.uniform(*SPACING))
                if loop.time() >= end:
                    return
                await self.toggle(op, changes)

        polls = [asyncio.create_task(poll(op)) for op in ops]
        await asyncio.gather(*(drive(op) for op in ops))
        await asyncio.sleep(period + 1.0)  # the last changes' next polls
        stop.set()
        await asyncio.gather(*polls)
        run.changes = changes.changes
        return run


async def run(
    url: str, usernames: list[str], changes: int, rate: float, pollers: int, poll_seconds: float
) -> tuple[DesignRun, DesignRun]:
    bench = Bench(url, [Operator(name) for name in usernames])
    try:
        await bench.setup()
        stream = await bench.stream(changes, rate)
        polling = await bench.polling(pollers, poll_seconds)
    except (httpx2.HTTPError, WebSocketException, OSError) as exc:
        raise BenchError(f"talking to the server at {url}: {type(exc).__name__}: {exc}") from exc
    finally:
        await bench.close()
    return stream, polling


def load() -> tuple[float, float, float]:
    return os.getloadavg()
