"""Benchmarks: speed targets measured side by side in one run, recorded in BENCHMARKS.md.

Run them all with `python -m bench` (`make bench`). They are never part of the test suite; a smoke
version with small numbers is (tests/test_bench_smoke.py). Each benchmark module has NAME, TITLE and
`run(quick=..., repeat=...) -> str`, the markdown body of its section in BENCHMARKS.md.
"""
