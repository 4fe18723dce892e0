"""Latency samples and their percentiles, shared by the benchmarks."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(slots=True)
class Latency:
    name: str
    samples_ns: list[int] = field(default_factory=list)

    def pct(self, p: float) -> float:
        """The p-th percentile in microseconds."""
        s = sorted(self.samples_ns)
        return s[min(len(s) - 1, int(p / 100 * len(s)))] / 1000

    def pct_ms(self, p: float) -> float:
        """The p-th percentile in milliseconds."""
        return self.pct(p) / 1000

    @property
    def mean_us(self) -> float:
        return statistics.fmean(self.samples_ns) / 1000
