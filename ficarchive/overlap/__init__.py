"""Overlap check: find passages of a draft that resemble passages of other works."""
