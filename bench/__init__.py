"""Benchmarks: each `bench_*.py` prints its numbers and writes bench/results/<name>.json; none fails on time."""
