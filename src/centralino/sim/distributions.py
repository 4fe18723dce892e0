"""Random durations for scenarios: exponential, log-normal, uniform, fixed, never."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sampler = Callable[[], float]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean: float = Field(gt=0)


class LogNormal(_Dist):
    dist: Literal["lognormal"]
    mean: float = Field(gt=0)
    sd: float = Field(gt=0)


class Uniform(_Dist):
    dist: Literal["uniform"]
    min: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.max < self.min:
            raise ValueError("max must not be below min")
        return self


class Fixed(_Dist):
    dist: Literal["fixed"]
    value: float = Field(ge=0)


Distribution = Annotated[Exponential | LogNormal | Uniform | Fixed, Field(discriminator="dist")]
# A duration may also be a plain number of seconds, or "infinite" (patience only).
Duration = float | Distribution
Patience = Literal["infinite"] | float | Distribution


def sampler(d: Duration | str, rng: random.Random) -> Sampler:
    """A function drawing one value of `d` from `rng`."""
    if d == "infinite":
        return lambda: math.inf
    if isinstance(d, int | float):
        v = float(d)
        return lambda: v
    if isinstance(d, Exponential):
        rate = 1.0 / d.mean
        expo = rng.expovariate
        return lambda: expo(rate)
    if isinstance(d, LogNormal):
        sigma2 = math.log(1.0 + (d.sd / d.mean) ** 2)
        mu, sigma = math.log(d.mean) - sigma2 / 2, math.sqrt(sigma2)
        logn = rng.lognormvariate
        return lambda: logn(mu, sigma)
    if isinstance(d, Uniform):
        lo, hi = d.min, d.max
        uni = rng.uniform
        return lambda: uni(lo, hi)
    if isinstance(d, Fixed):
        v = d.value
        return lambda: v
    raise TypeError(f"not a distribution: {d!r}")
