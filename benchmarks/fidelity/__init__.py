"""Fidelity benchmark: the simulator's latency figures beside those of a real serving stack on loopback."""
