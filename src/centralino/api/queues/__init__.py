"""Inbound queues and their members."""
