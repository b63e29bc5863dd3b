"""Benchmarks: plain scripts (``python -m bench.bench_x``) that print their figures; see RESULTS.md."""
