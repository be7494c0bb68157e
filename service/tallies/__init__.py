"""Participation tallies: figures per town x strategy area x period, recomputed from the source tables."""
