"""Exports of a board document: a PNG drawn by `diagrams`, diagram-as-code, JSON and a design report."""
