"""Outcome memory: a Chroma store of what happened to earlier leads, and its embedding function."""
