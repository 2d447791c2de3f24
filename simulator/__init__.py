"""Discrete-event simulation of a board document: board in, results out. A plain library."""
