"""The synthetic world (docs/synthetic_world.md): rendered scenes, captions, pixel proposals and features, a predicted
visual scene graph, ground truth and suites. Entry point: `generate(out, seed=..., sizes=..., image_size=...)`."""

from sgfns.data.synth.writer import DEFAULT_SIZES, generate

__all__ = ["DEFAULT_SIZES", "generate"]
