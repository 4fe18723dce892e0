"""The simulated telephone network: the default driver for the demo, tests and benchmarks."""

from centralino.telephony.sim.network import Fate, SimNetwork

__all__ = ["Fate", "SimNetwork"]
