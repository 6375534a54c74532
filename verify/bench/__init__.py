"""Benchmarks: dataset adapters, metrics, baselines and the runner behind `verify bench`."""
