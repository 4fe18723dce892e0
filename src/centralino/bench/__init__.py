"""Benchmarks behind `centralino bench`: each prints our figure beside its baseline."""
