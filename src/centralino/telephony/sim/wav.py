"""The simulated network's recordings: a real PCM WAV file (8 kHz, mono, 16-bit) of the
recorded duration, written with the standard library's `wave`, as a switch would leave one."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000
TONE_HZ = 400.0  # 20 samples a period at 8 kHz: one period repeats exactly
AMPLITUDE = 4000


def write_wav(path: Path, seconds: float, *, rate: int = RATE, tone: bool = True) -> int:
    """Write `seconds` of a soft tone (or silence) to `path`; returns the frames written."""
    frames = max(0, round(seconds * rate))
    period = rate / TONE_HZ
    n = int(period) if period.is_integer() else rate
    one = [round(AMPLITUDE * math.sin(2 * math.pi * i / period)) if tone else 0 for i in range(n)]
    chunk = struct.pack(f"<{n}h", *one)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        whole, rest = divmod(frames, n)
        block = chunk * max(1, min(whole, 400))
        per_block = len(block) // 2
        left = whole * n
        while left >= per_block and per_block:
            w.writeframes(block)
            left -= per_block
        if left:
            w.writeframes(block[: left * 2])
        if rest:
            w.writeframes(chunk[: rest * 2])
    tmp.replace(path)
    return frames
