"""Labelled data, metrics, reports and benchmarks."""
