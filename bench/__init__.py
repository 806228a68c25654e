"""Benchmarks (`make bench`): the synthetic data generator, the measurements, their results."""
