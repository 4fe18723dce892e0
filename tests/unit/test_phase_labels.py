"""Every phase the engine (or the phone API) writes into a call record has a label on
the Inbound page, so a supervisor never reads a raw code."""

from __future__ import annotations

import re
from pathlib import Path

import centralino
from centralino.web.inbound import PHASE_LABELS

SRC = Path(centralino.__file__).parent
PHASE = re.compile(r"\.phase\(\s*[^,()]+(?:\([^()]*\))?,\s*\"([a-z_]+)\"")


def test_every_recorded_phase_has_a_label() -> None:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        found |= set(PHASE.findall(path.read_text(encoding="utf-8")))
    assert {"arrival", "queue", "pickup", "hangup"} <= found  # the scan finds them
    assert found - set(PHASE_LABELS) == set()
