"""Telephony: the port the engine speaks (`port.py`) and one package per driver."""
