"""Benchmarks of lowcodegen against named peers: `make bench` (see bench/README.md)."""
