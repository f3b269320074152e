"""Datasets: the canonical on-disk layout (docs/data_formats.md), converters and the synthetic world."""
