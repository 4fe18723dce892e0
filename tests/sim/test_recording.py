"""The simulated network's recordings: a real PCM WAV (8 kHz, mono, 16-bit) of the recorded
duration, written when the recording stops, or when the line hangs up while it runs;
mute and keypad tones are kept per leg."""

from __future__ import annotations

import wave
from pathlib import Path

from centralino.engine.clock import VirtualClock
from centralino.telephony.port import CallEvent, EventKind
from centralino.telephony.sim.network import Fate, SimNetwork
from centralino.telephony.sim.wav import write_wav


def _net(tmp_path: Path) -> tuple[VirtualClock, SimNetwork, list[CallEvent]]:
    clock = VirtualClock(1000.0)
    net = SimNetwork(clock, lambda n: Fate(ring=1.0, talk=60.0), recordings_dir=tmp_path / "rec")
    events: list[CallEvent] = []
    net.subscribe(events.append)
    return clock, net, events


def _answered_call(clock: VirtualClock, net: SimNetwork) -> tuple[int, int]:
    phone = net.register_endpoint("olga")
    op = net.originate(phone, "", 30.0)
    customer = net.originate("+393331234567", "+390212345678", 30.0)
    clock.run(until=clock.now() + 2.0)
    net.bridge(customer, op)
    clock.run(until=clock.now() + 0.1)
    return customer, op


def _wav(path: Path) -> tuple[int, int, int, int, bytes]:
    with wave.open(str(path), "rb") as w:
        return (
            w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes(),
            w.readframes(w.getnframes()),
        )  # fmt: skip


def test_a_stopped_recording_is_a_wav_of_its_duration(tmp_path: Path) -> None:
    clock, net, events = _net(tmp_path)
    customer, _op = _answered_call(clock, net)
    net.start_recording(customer, "call 7/consenso")
    clock.run(until=clock.now() + 12.5)
    net.stop_recording(customer)
    clock.run(until=clock.now() + 0.1)
    (stopped,) = [e for e in events if e.kind is EventKind.RECORDING_STOPPED]
    assert stopped.info is not None and stopped.info["seconds"] == "12.500"
    path = Path(stopped.info["path"])
    assert path == tmp_path / "rec" / "call_7_consenso.wav"  # a safe file name
    channels, width, rate, frames, data = _wav(path)
    assert (channels, width, rate, frames) == (1, 2, 8000, 100_000)
    assert len(data) == 200_000 and any(data)  # a tone, not silence
    assert not list(path.parent.glob("*.part"))


def test_hanging_up_while_recording_writes_the_file(tmp_path: Path) -> None:
    clock, net, events = _net(tmp_path)
    customer, _op = _answered_call(clock, net)
    net.start_recording(customer, "left")
    clock.run(until=clock.now() + 70.0)  # the customer's 60 s of talk end the call
    (stopped,) = [e for e in events if e.kind is EventKind.RECORDING_STOPPED]
    assert stopped.info is not None
    frames = _wav(Path(stopped.info["path"]))[3]
    assert abs(frames - 8000 * float(stopped.info["seconds"])) <= 1
    assert 55 * 8000 < frames <= 60 * 8000


def test_without_a_directory_no_file_is_written(tmp_path: Path) -> None:
    clock = VirtualClock(0.0)
    net = SimNetwork(clock, lambda n: Fate(ring=1.0))
    events: list[CallEvent] = []
    net.subscribe(events.append)
    leg = net.originate("+393331234567", "", 30.0)
    clock.run(until=2.0)
    net.start_recording(leg, "x")
    clock.run(until=5.0)
    net.stop_recording(leg)
    clock.run(until=6.0)
    (stopped,) = [e for e in events if e.kind is EventKind.RECORDING_STOPPED]
    assert stopped.info is not None and "path" not in stopped.info
    assert net.recordings == [(leg, "x", 2.0, 5.0)]


def test_silence_and_odd_lengths(tmp_path: Path) -> None:
    path = tmp_path / "s.wav"
    assert write_wav(path, 0.00125, tone=False) == 10
    _, _, _, frames, data = _wav(path)
    assert frames == 10 and data == b"\0" * 20
    assert write_wav(path, 0.0) == 0 and _wav(path)[3] == 0


def test_mute_and_keys_are_kept_per_leg(tmp_path: Path) -> None:
    clock, net, _ = _net(tmp_path)
    customer, op = _answered_call(clock, net)
    net.mute(op, True)
    assert net.muted == {op}
    net.send_dtmf(customer, "12")
    net.send_dtmf(customer, "#")
    assert net.dtmf_sent == {customer: "12#"}
    net.mute(op, False)
    assert net.muted == set()
    net.mute(op, True)
    net.hangup(op)
    assert net.muted == set()  # gone with the leg
