"""The engine: runs the domain against a Clock and a telephony port, live or simulated."""
