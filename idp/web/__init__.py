"""Thin blueprints: parse input, call one lifecycle function, render."""
