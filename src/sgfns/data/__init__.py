"""Datasets: the canonical on-disk layout (DESIGN §3.1), converters and the synthetic world."""
