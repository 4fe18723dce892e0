"""A company's pause reasons."""
