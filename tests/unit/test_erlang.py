"""Erlang B, C and A against published tables, exact fractions and an independent transient."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centralino.domain.erlang import (
    asa_c,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    servers_for_asa,
    servers_for_service_level,
    service_level_c,
)

# --- independent references -------------------------------------------------------------------


def exact_b(servers: int, load: Fraction) -> Fraction:
    """Erlang B straight from its definition, (A^c/c!) / sum_k A^k/k!, in exact arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


def exact_c(servers: int, load: Fraction) -> Fraction:
    """Erlang C from its definition: the M/M/c stationary mass at and above c servers."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def exact_stationary(
    servers: int, lam: Fraction, mu: Fraction, theta: Fraction, states: int
) -> list[Fraction]:
    """Stationary law of the M/M/c+M chain cut at `states`, by Gaussian elimination of pQ = 0.

    Deliberately a generic linear solve, not the product form the module uses.
    """
    n = states
    q = [[Fraction(0)] * n for _ in range(n)]
    for i in range(n):
        if i + 1 < n:
            q[i][i + 1] = lam
        if i > 0:
            q[i][i - 1] = min(i, servers) * mu + max(i - servers, 0) * theta
        q[i][i] = -sum(q[i], Fraction(0))
    # Rows of Q^T kept sparse (column n is the right-hand side), the last balance equation
    # replaced by sum(p) = 1.
    a = [{j: q[j][i] for j in range(n) if q[j][i] != 0} for i in range(n)]
    a[-1] = dict.fromkeys(range(n + 1), Fraction(1))
    for col in range(n):  # forward elimination, then back substitution
        pivot = next(r for r in range(col, n) if a[r].get(col, 0) != 0)
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            if a[r].get(col, 0) != 0:
                f = a[r][col] / a[col][col]
                for j, y in a[col].items():
                    a[r][j] = a[r].get(j, Fraction(0)) - f * y
    p = [Fraction(0)] * n
    for i in reversed(range(n)):
        rest = sum((y * p[j] for j, y in a[i].items() if i < j < n), Fraction(0))
        p[i] = (a[i].get(n, Fraction(0)) - rest) / a[i][i]
    return p


def sl_by_uniformization(p: list[float], servers: int, mu: float, theta: float, t: float) -> float:
    """Answered within t over all arrivals, by uniformizing the tagged caller's own chain.

    From queue position k the caller moves forward at c*mu + (k-1)*theta (answered from
    position 1) and abandons at theta; starting law by PASTA.
    """
    c = servers
    dist = p[c:]  # mass at queue positions 1..K
    rate = c * mu + len(dist) * theta
    weight = math.exp(-rate * t)
    served, result = 0.0, 0.0
    # Poisson(rate*t) mass beyond mean + 10 sd + 40 is far below 1e-15.
    for m in range(1, math.ceil(rate * t + 10 * math.sqrt(rate * t) + 40)):
        new = [0.0] * len(dist)
        for i, mass in enumerate(dist):  # position i + 1
            forward = c * mu + i * theta
            new[i] += mass * (1 - (forward + theta) / rate)
            if i == 0:
                served += mass * forward / rate
            else:
                new[i - 1] += mass * forward / rate
        dist = new
        weight *= rate * t / m
        result += weight * served
    return sum(p[:c]) + result


def answered_wait_by_stages(
    p: list[Fraction], servers: int, mu: Fraction, theta: Fraction
) -> tuple[Fraction, Fraction]:
    """(P(answered), E[wait; answered]) stage by stage, without the telescoped product."""
    c = servers
    answered, wait = sum(p[:c], Fraction(0)), Fraction(0)
    reach, time_in = Fraction(1), Fraction(0)  # P(answered | k) and E[wait; answered | k]
    for k in range(1, len(p) - c + 1):
        leave = c * mu + k * theta
        forward = (leave - theta) / leave
        time_in, reach = forward * (time_in + reach / leave), forward * reach
        answered += p[c + k - 1] * reach
        wait += p[c + k - 1] * time_in
    return answered, wait


# --- Erlang B ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("servers", "load"),
    [(5, "2"), (10, "5"), (15, "8.108"), (100, "80"), (100, "84.06"), (1, "1"), (30, "30")],
)
def test_erlang_b_equals_the_exact_definition(servers: int, load: str) -> None:
    assert erlang_b(servers, float(load)) == pytest.approx(
        float(exact_b(servers, Fraction(load))), rel=1e-12
    )


def test_erlang_b_textbook_values() -> None:
    # Rounded values of the exact definition (checked above with Fractions): B(5, 2) = 4/109.
    assert round(erlang_b(5, 2.0), 4) == 0.0367
    assert round(erlang_b(10, 5.0), 5) == 0.01838
    # Not 0.00411 as sometimes quoted: the exact value is 0.003992.
    assert round(erlang_b(100, 80.0), 6) == 0.003992


@pytest.mark.parametrize(
    ("servers", "blocking", "table_load", "half_step"),
    [
        # Westbay Erlang calculator manual, "How much traffic can a trunk group handle?"
        # (https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm):
        # 15 lines at 1% blocking carry 8.108 E.
        (15, 0.01, 8.108, 0.0005),
        # Erlang B tables (e.g. J. R. Boucher, Traffic System Design Handbook, IEEE Press):
        # 10 trunks carry 4.46 E at 1%, 5.08 E at 2%, 6.22 E at 5%; 100 trunks 84.06 E at 1%.
        (10, 0.01, 4.46, 0.005),
        (10, 0.02, 5.08, 0.005),
        (10, 0.05, 6.22, 0.005),
        (100, 0.01, 84.06, 0.005),
    ],
)
def test_erlang_b_published_capacity_tables(
    servers: int, blocking: float, table_load: float, half_step: float
) -> None:
    """The table entry is the largest load with that blocking, rounded to its last digit."""
    assert erlang_b(servers, table_load - half_step) < blocking
    assert erlang_b(servers, table_load + half_step) > blocking


def test_erlang_b_survives_five_thousand_servers() -> None:
    c, a = 5000, 4000.0
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    top = max(log_terms)
    log_b = log_terms[-1] - top - math.log(math.fsum(math.exp(x - top) for x in log_terms))
    assert erlang_b(c, a) == pytest.approx(math.exp(log_b), rel=1e-9)
    assert 0 < erlang_b(c, a) < 1e-50
    assert erlang_b(5000, 5000.0) == pytest.approx(0.01120, abs=5e-5)  # ~ 1/sqrt(pi*c/2)


def test_erlang_b_edges() -> None:
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(3, 0.0) == 0.0


# --- Erlang C ---------------------------------------------------------------------------------


def test_erlang_c_callcentrehelper_example() -> None:
    # https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm: 100 calls in 30 min,
    # AHT 180 s, 80% in 20 s -> A = 10 E and 14 agents: P(wait) 17.4%, SL 88.8%, occupancy
    # 71.4%; 15 agents give 94.1% with P(wait) 10.2% (also the expectations of pyworkforce).
    load = 100 * 180 / 1800
    assert load == 10
    assert round(erlang_c(14, load), 3) == 0.174
    assert round(service_level_c(14, load, 180, 20), 3) == 0.888
    assert round(occupancy(14, load), 3) == 0.714
    assert round(erlang_c(15, load), 3) == 0.102
    assert round(service_level_c(15, load, 180, 20), 3) == 0.941
    assert servers_for_service_level(load, 180, 20, 0.80) == 14
    assert service_level_c(13, load, 180, 20) < 0.80
    assert erlang_c(14, load) == pytest.approx(float(exact_c(14, Fraction(10))), rel=1e-12)
    assert asa_c(14, load, 180) == pytest.approx(7.836, abs=1e-3)


def test_erlang_c_360_calls_per_half_hour_example() -> None:
    # The classic worked example of the Erlang C formula (360 calls per half hour, 4 minute
    # calls, 55 agents, 15 s target): A = 48 E, occupancy 87.3%, P(wait) 23.87%, ASA 8.18 s,
    # 84.6% answered in 15 s. Values re-derived here from the exact definition.
    load = 360 * 240 / 1800
    c_exact = float(exact_c(55, Fraction(48)))
    assert erlang_c(55, load) == pytest.approx(c_exact, rel=1e-12)
    assert round(c_exact, 4) == 0.2387
    assert round(occupancy(55, load), 3) == 0.873
    assert asa_c(55, load, 240) == pytest.approx(c_exact * 240 / 7)
    assert round(asa_c(55, load, 240), 2) == 8.18
    assert service_level_c(55, load, 240, 15) == pytest.approx(1 - c_exact * math.exp(-7 / 16))
    assert round(service_level_c(55, load, 240, 15), 3) == 0.846


def test_erlang_c_without_steady_state() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 12.5) == 1.0
    assert service_level_c(10, 12.5, 180, 20) == 0.0
    assert asa_c(10, 10.0, 180) == math.inf
    assert occupancy(10, 12.5) == 1.0


def test_servers_for_asa_callcentrehelper_load() -> None:
    assert asa_c(14, 10.0, 180) <= 10 < asa_c(13, 10.0, 180)
    assert servers_for_asa(10.0, 180, 10) == 14
    assert servers_for_asa(0.0, 180, 1) == 1


# --- Erlang A ---------------------------------------------------------------------------------

# c = 3, A = 2 E, AHT 60 s, mean patience 120 s: per-second rates in exact fractions.
SMALL = {"servers": 3, "load": 2.0, "aht": 60.0, "patience": 120.0}
SMALL_RATES = (Fraction(1, 30), Fraction(1, 60), Fraction(1, 120))  # lambda, mu, theta


def test_erlang_a_matches_exact_linear_solve() -> None:
    lam, mu, theta = SMALL_RATES
    c = 3
    p = exact_stationary(c, lam, mu, theta, states=c + 45)
    queue = sum((n - c) * x for n, x in enumerate(p) if n > c)
    r = erlang_a(**SMALL)  # type: ignore[arg-type]
    assert r.prob_wait == pytest.approx(float(sum(p[c:])), rel=1e-12)
    assert r.abandon_probability == pytest.approx(float(theta * queue / lam), rel=1e-12)
    assert r.average_wait == pytest.approx(float(queue / lam), rel=1e-12)
    busy = sum(min(n, c) * x for n, x in enumerate(p))
    assert r.occupancy == pytest.approx(float(busy / c), rel=1e-12)

    answered, wait = answered_wait_by_stages(p, c, mu, theta)
    assert r.asa == pytest.approx(float(wait / answered), rel=1e-12)
    # Abandonment seen by the caller equals theta * E[queue] / lambda seen by the queue.
    assert 1 - r.abandon_probability == pytest.approx(float(answered), rel=1e-12)


@pytest.mark.parametrize("target", [0.0, 5.0, 30.0, 60.0, 240.0])
def test_erlang_a_service_level_matches_uniformization(target: float) -> None:
    lam, mu, theta = SMALL_RATES
    p = [float(x) for x in exact_stationary(3, lam, mu, theta, states=3 + 45)]
    r = erlang_a(**SMALL)  # type: ignore[arg-type]
    expected = sl_by_uniformization(p, 3, float(mu), float(theta), target)
    assert r.service_level(target) == pytest.approx(expected, abs=1e-10)
    answered = 1 - r.abandon_probability
    assert r.service_level_answered(target) == pytest.approx(expected / answered, abs=1e-10)


@pytest.mark.parametrize(
    ("servers", "load", "patience", "target", "queue_states"),
    [(14, 10.0, 300.0, 20.0, 50), (12, 13.0, 90.0, 20.0, 45), (20, 18.0, 720.0, 45.0, 90)],
)
def test_erlang_a_service_level_matches_uniformization_at_scale(
    servers: int, load: float, patience: float, target: float, queue_states: int
) -> None:
    """Queue states chosen so the cut-off tail weighs under 1e-14."""
    aht = 180.0
    mu, theta = Fraction(1, 180), 1 / Fraction(patience)
    states = servers + queue_states
    p = [float(x) for x in exact_stationary(servers, Fraction(load) * mu, mu, theta, states)]
    r = erlang_a(servers, load, aht, patience)
    assert r.prob_wait == pytest.approx(sum(p[servers:]), rel=1e-9)
    expected = sl_by_uniformization(p, servers, float(mu), float(theta), target)
    assert r.service_level(target) == pytest.approx(expected, abs=1e-9)


def test_erlang_a_agrees_with_pyworkforce() -> None:
    # pyworkforce (rodrigo-arenas/pyworkforce, queuing/tests/test_abandonment.py) pins the
    # callcentrehelper load with 5 min patience, 14 positions; its ASA is E[queue]/lambda (our
    # average_wait) and its service level, by uniformization, uses our convention.
    r = erlang_a(14, 10.0, 180.0, 300.0)
    assert round(r.prob_wait, 5) == 0.14526
    assert round(r.abandon_probability, 6) == 0.013984
    assert round(r.occupancy, 6) == 0.704297
    assert round(r.average_wait / 60, 6) == 0.069919
    assert round(r.service_level(20), 6) == 0.916792


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    r = erlang_a(14, 10.0, 180.0, 180.0e6)
    assert r.prob_wait == pytest.approx(erlang_c(14, 10.0), rel=1e-5)
    assert r.service_level(20) == pytest.approx(service_level_c(14, 10.0, 180, 20), rel=1e-5)
    assert r.asa == pytest.approx(asa_c(14, 10.0, 180), rel=1e-5)
    assert r.occupancy == pytest.approx(occupancy(14, 10.0), rel=1e-5)
    assert r.abandon_probability < 1e-5


def test_erlang_a_with_no_patience_is_erlang_b() -> None:
    r = erlang_a(14, 10.0, 180.0, 180.0e-7)
    assert r.abandon_probability == pytest.approx(erlang_b(14, 10.0), rel=1e-5)
    assert r.prob_wait == pytest.approx(erlang_b(14, 10.0), rel=1e-5)


@pytest.mark.parametrize("load", [4000.0, 4990.0, 5200.0])
def test_erlang_a_at_five_thousand_servers(load: float) -> None:
    r = erlang_a(5000, load, 180.0, 120.0)
    assert 0 <= r.abandon_probability <= r.prob_wait <= 1
    assert r.occupancy * 5000 == pytest.approx(load * (1 - r.abandon_probability), rel=1e-9)
    assert 1 - r.prob_wait <= r.service_level(20) <= 1 - r.abandon_probability + 1e-12


def test_erlang_a_service_level_bounds() -> None:
    r = erlang_a(12, 13.0, 180.0, 90.0)  # overloaded: only abandonment keeps it stable
    levels = [r.service_level(t) for t in (0, 1, 5, 20, 60, 600)]
    assert levels == sorted(levels)
    assert levels[0] == pytest.approx(1 - r.prob_wait)
    assert r.service_level(1e7) == pytest.approx(1 - r.abandon_probability, rel=1e-12)
    assert r.service_level_answered(20) > r.service_level(20)


def test_erlang_a_without_traffic() -> None:
    r = erlang_a(2, 0.0, 180.0, 60.0)
    assert (r.prob_wait, r.abandon_probability, r.asa, r.occupancy) == (0, 0, 0, 0)
    assert r.service_level(20) == 1.0


# --- parameter checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(0, 1.0), "servers"),
        (lambda: erlang_c(-3, 1.0), "servers"),
        (lambda: erlang_b(5, -0.1), "load"),
        (lambda: erlang_b(5, math.nan), "load"),
        (lambda: service_level_c(5, 1.0, 0.0, 20), "aht"),
        (lambda: service_level_c(5, 1.0, 180, -1), "target_seconds"),
        (lambda: asa_c(5, 1.0, -180), "aht"),
        (lambda: servers_for_service_level(10.0, 180, 20, 1.0), "service_level"),
        (lambda: servers_for_asa(10.0, 180, 0), "target_asa"),
        (lambda: erlang_a(5, 1.0, 180, 0), "patience"),
        (lambda: erlang_a(10, 20.0, 180, 1e12), "patience .* too long"),
        (lambda: erlang_a(5, 1.0, 180, 60).service_level(-5), "target_seconds"),
    ],
)
def test_bad_parameters_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


# --- properties -------------------------------------------------------------------------------

loads = st.floats(min_value=0, max_value=300, allow_nan=False)


@given(st.integers(min_value=1, max_value=200), loads)
def test_erlang_b_is_a_probability_falling_with_servers(servers: int, load: float) -> None:
    b = erlang_b(servers, load)
    assert 0 <= b <= 1
    assert erlang_b(servers + 1, load) <= b


@given(st.integers(min_value=1, max_value=200), loads)
def test_waiting_is_likelier_than_blocking(servers: int, load: float) -> None:
    assert erlang_c(servers, load) >= erlang_b(servers, load) * (1 - 1e-12)


@given(
    loads,
    st.floats(min_value=10, max_value=900),
    st.floats(min_value=0, max_value=120),
    st.floats(min_value=0.05, max_value=0.99),
)
def test_servers_for_service_level_is_the_smallest(
    load: float, aht: float, target: float, level: float
) -> None:
    n = servers_for_service_level(load, aht, target, level)
    assert service_level_c(n, load, aht, target) >= level
    if n > 1:
        assert service_level_c(n - 1, load, aht, target) < level


@given(loads, st.floats(min_value=10, max_value=900), st.floats(min_value=0.5, max_value=300))
def test_servers_for_asa_is_the_smallest(load: float, aht: float, target: float) -> None:
    n = servers_for_asa(load, aht, target)
    assert asa_c(n, load, aht) <= target
    if n > 1:
        assert asa_c(n - 1, load, aht) > target


@settings(max_examples=50)
@given(
    st.integers(min_value=1, max_value=40),
    st.floats(min_value=0.01, max_value=60),
    st.floats(min_value=5, max_value=5000),
    st.floats(min_value=0, max_value=300),
)
def test_erlang_a_is_consistent(servers: int, load: float, patience: float, t: float) -> None:
    r = erlang_a(servers, load, 180.0, patience)
    assert 0 <= r.abandon_probability <= r.prob_wait <= 1
    assert r.occupancy * servers == pytest.approx(load * (1 - r.abandon_probability), rel=1e-9)
    assert r.asa <= r.average_wait / (1 - r.abandon_probability) + 1e-9
    sl = r.service_level(t)
    assert 1 - r.prob_wait - 1e-12 <= sl <= 1 - r.abandon_probability + 1e-12
