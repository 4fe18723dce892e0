"""The simulator: scenario files, customer populations, arrivals and bot operators."""
