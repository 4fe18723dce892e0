"""Erlang B, C and A: the queueing formulas behind staffing, exact and pure.

Units: `load` is the offered traffic in erlangs (arrival rate times `aht`); `aht`, `patience`
and every target or result time are in seconds. Erlang B (M/M/c/c) is the blocking of a trunk
group; Erlang C (M/M/c) is a queue where nobody hangs up; Erlang A (M/M/c+M) adds callers who
abandon after an exponential patience, and stays meaningful when the load exceeds the servers.

Erlang A is computed from the exact stationary distribution of its birth-death chain: state n
is the number of calls in the system, births at rate lambda, deaths at rate n*mu up to c and
c*mu + (n - c)*theta above, with mu = 1/aht and theta = 1/patience. By PASTA an arrival sees
that distribution, so one who finds n >= c calls joins the queue at position k = n - c + 1.

Service level of a caller at position k. While it stands at position i it leaves that position
at rate a_i = c*mu + i*theta: c*mu + (i - 1)*theta moves it forward (an answer, or an abandon
ahead of it) and theta is its own abandon. Competing exponential clocks make the time spent at
each position independent of which clock rang, so

    P(answered within t | k) = prod_{i=1..k} (a_i - theta) / a_i * P(T_k <= t)
                             = c*mu / (c*mu + k*theta) * P(T_k <= t)

where the product telescopes and T_k is the sum of independent Exp(a_1), ..., Exp(a_k). Its
rates are evenly spaced, and the Laplace transform prod a_i / (s + a_i) is a beta integral:
P(T_k <= t) = I_x(k, b), the regularised incomplete beta with x = 1 - exp(-theta*t) and
b = c*mu/theta + 1. With integer k this is a negative binomial tail,

    P(T_k <= t) = 1 - sum_{j<k} Gamma(b + j) / (Gamma(b) j!) * x^j * (1 - x)^b,

a sum of positive terms computed in log space, so it stays exact where the partial-fraction
form of the hypoexponential CDF cancels catastrophically. As theta -> 0 it becomes the Poisson
tail of Erlang C.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_TAIL_TOLERANCE = 1e-16
"""The queue tail is cut where what is left weighs less than this, relative to the mode."""

_MAX_QUEUE_STATES = 1_000_000
"""Refuse rather than grind: reached only by overloads with near-infinite patience."""


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer of at least 1, got {servers!r}")


def _check_load(load: float) -> None:
    if not (math.isfinite(load) and load >= 0):
        raise ValueError(f"load must be a finite number of erlangs >= 0, got {load!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")


def _check_target(target_seconds: float) -> None:
    if not (math.isfinite(target_seconds) and target_seconds >= 0):
        raise ValueError(
            f"target_seconds must be a finite number of seconds >= 0, got {target_seconds!r}"
        )


def _check_fraction(name: str, value: float) -> None:
    if not (0 < value < 1):
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")


def _b_step(b: float, servers: int, load: float) -> float:
    """B(c) from B(c - 1): the recursion never forms A^c or c!, so it cannot overflow."""
    return load * b / (servers + load * b)


def _c_from_b(b: float, servers: int, load: float) -> float:
    if load >= servers:
        return 1.0
    return min(1.0, servers * b / (servers - load * (1.0 - b)))


def _sl_from_c(c_prob: float, servers: int, load: float, aht: float, target: float) -> float:
    if load >= servers:
        return 0.0
    return max(0.0, 1.0 - c_prob * math.exp(-(servers - load) * target / aht))


def _asa_from_c(c_prob: float, servers: int, load: float, aht: float) -> float:
    if load >= servers:
        return math.inf
    return c_prob * aht / (servers - load)


def erlang_b(servers: int, load: float) -> float:
    """Probability that a call finds all `servers` busy and is lost (Erlang B)."""
    _check_servers(servers)
    _check_load(load)
    b = 1.0
    for k in range(1, servers + 1):
        b = _b_step(b, k, load)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that a call has to wait (Erlang C); 1.0 when the queue has no steady state."""
    return _c_from_b(erlang_b(servers, load), servers, load)


def service_level_c(servers: int, load: float, aht: float, target_seconds: float) -> float:
    """Fraction of calls answered within `target_seconds` under Erlang C: 1 - C*e^(-(c-A)t/aht).

    0.0 when load >= servers: the queue grows without bound and no call is answered in time.
    """
    _check_positive("aht", aht)
    _check_target(target_seconds)
    c_prob = erlang_c(servers, load)
    return _sl_from_c(c_prob, servers, load, aht, target_seconds)


def asa_c(servers: int, load: float, aht: float) -> float:
    """Average speed of answer in seconds under Erlang C; infinite when load >= servers."""
    _check_positive("aht", aht)
    return _asa_from_c(erlang_c(servers, load), servers, load, aht)


def occupancy(servers: int, load: float) -> float:
    """Fraction of time servers are busy when every call is eventually answered: A/c, at most 1."""
    _check_servers(servers)
    _check_load(load)
    return min(1.0, load / servers)


def servers_for_service_level(
    load: float, aht: float, target_seconds: float, service_level: float
) -> int:
    """Fewest servers whose Erlang C service level reaches `service_level` (a fraction)."""
    _check_load(load)
    _check_positive("aht", aht)
    _check_target(target_seconds)
    _check_fraction("service_level", service_level)
    b = 1.0
    servers = 0
    while True:
        servers += 1
        b = _b_step(b, servers, load)
        c_prob = _c_from_b(b, servers, load)
        if _sl_from_c(c_prob, servers, load, aht, target_seconds) >= service_level:
            return servers


def servers_for_asa(load: float, aht: float, target_asa: float) -> int:
    """Fewest servers whose Erlang C average speed of answer is at most `target_asa` seconds."""
    _check_load(load)
    _check_positive("aht", aht)
    _check_positive("target_asa", target_asa)
    b = 1.0
    servers = 0
    while True:
        servers += 1
        b = _b_step(b, servers, load)
        if _asa_from_c(_c_from_b(b, servers, load), servers, load, aht) <= target_asa:
            return servers


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Steady state of an Erlang A queue (M/M/c+M): what callers see, with abandonment.

    `position_probabilities[k - 1]` is the probability that an arrival joins the queue at
    position k (it finds c + k - 1 calls in the system); the service level is built from it.
    """

    servers: int
    load: float
    aht: float
    patience: float
    prob_wait: float
    """P(an arrival finds every server busy) = P(N >= c), by PASTA."""
    abandon_probability: float
    """Fraction of arrivals that hang up before an answer: theta * E[queue] / lambda."""
    asa: float
    """Mean wait, in seconds, of the calls that are answered (0 for those answered at once)."""
    average_wait: float
    """Mean wait, in seconds, of all calls, abandoned ones included: E[queue] / lambda."""
    occupancy: float
    """Mean fraction of servers busy."""
    position_probabilities: tuple[float, ...] = field(repr=False)

    def service_level(self, target_seconds: float) -> float:
        """Calls answered within `target_seconds`, divided by ALL offered calls.

        Abandoned calls count as not answered in time, whenever they hang up; calls that find a
        free server count as answered at once. See the module docstring for the formula.
        """
        _check_target(target_seconds)
        immediate = 1.0 - self.prob_wait
        if target_seconds == 0 or not self.position_probabilities:
            return immediate
        c = self.servers
        gamma = self.aht / self.patience  # theta / mu
        x = -math.expm1(-target_seconds / self.patience)
        if x <= 0.0:  # a target too short to tell from zero
            return immediate
        log_x = math.log(x)
        b = c / gamma + 1.0
        log_term = -(c + gamma) * target_seconds / self.aht  # log of (1 - x)^b
        below = 0.0  # sum_{j<k} of the negative binomial terms
        answered = 0.0
        for k, p in enumerate(self.position_probabilities, start=1):
            below += math.exp(log_term)
            log_term += math.log((b + k - 1) / k) + log_x
            reached = 1.0 - below
            if reached <= 0.0:
                break
            answered += p * c / (c + k * gamma) * reached
        return min(1.0, immediate + answered)

    def service_level_answered(self, target_seconds: float) -> float:
        """Calls answered within `target_seconds`, divided by the calls answered at all."""
        answered = 1.0 - self.abandon_probability
        return min(1.0, self.service_level(target_seconds) / answered)


def _too_patient(servers: int, load: float, patience: float) -> ValueError:
    return ValueError(
        f"patience {patience!r} s is too long for a load of {load!r} erlangs on {servers} "
        f"servers: the queue would need more than {_MAX_QUEUE_STATES} states"
    )


def erlang_a(servers: int, load: float, aht: float, patience: float) -> ErlangAResult:
    """Erlang A for `servers` agents, `load` erlangs and mean caller `patience` in seconds."""
    _check_servers(servers)
    _check_load(load)
    _check_positive("aht", aht)
    _check_positive("patience", patience)
    c = servers
    if load == 0:
        return ErlangAResult(c, load, aht, patience, 0.0, 0.0, 0.0, 0.0, 0.0, ())
    gamma = aht / patience  # theta / mu: abandon rate per waiting call, in units of mu
    if (load - c) / gamma > _MAX_QUEUE_STATES:  # the queue would still grow at that length
        raise _too_patient(servers, load, patience)

    # Log weights relative to state c, walking down to 0 and then up the queue.
    log_below = [0.0] * (c + 1)
    for n in range(c, 0, -1):
        log_below[n - 1] = log_below[n] + math.log(n / load)
    log_top = max(log_below)
    log_queue: list[float] = []
    log_w = 0.0
    j = 0
    while True:
        j += 1
        ratio = load / (c + j * gamma)
        log_w += math.log(ratio)
        log_queue.append(log_w)
        log_top = max(log_top, log_w)
        if ratio < 1.0 and math.exp(log_w - log_top) / (1.0 - ratio) < _TAIL_TOLERANCE:
            break
        if j >= _MAX_QUEUE_STATES:
            raise _too_patient(servers, load, patience)

    below = [math.exp(x - log_top) for x in log_below]  # states 0..c
    queue = [math.exp(x - log_top) for x in log_queue]  # states c+1, c+2, ...
    total = math.fsum(below) + math.fsum(queue)
    positions = tuple(w / total for w in [below[c], *queue])  # states c, c+1, ...

    prob_wait = math.fsum(positions)
    queue_length = math.fsum((k - 1) * p for k, p in enumerate(positions, start=1))
    busy = math.fsum(n * below[n] for n in range(c)) / total + c * prob_wait
    answered_at_once = math.fsum(below[:c]) / total
    # E[wait; answered] = sum_k P(k) * c/(c + k*gamma) * E[T_k], E[T_k] = sum_i aht/(c + i*gamma)
    answered = answered_at_once
    wait_answered = 0.0
    mean_time = 0.0
    for k, p in enumerate(positions, start=1):
        mean_time += aht / (c + k * gamma)
        served = p * c / (c + k * gamma)
        answered += served
        wait_answered += served * mean_time
    return ErlangAResult(
        servers=c,
        load=load,
        aht=aht,
        patience=patience,
        prob_wait=prob_wait,
        abandon_probability=gamma * queue_length / load,
        asa=wait_answered / answered,
        average_wait=queue_length * aht / load,
        occupancy=busy / c,
        position_probabilities=positions,
    )
