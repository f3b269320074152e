"""Evaluation: `evaluate(matcher, data, split, protocol)` -> the evaluation record (one evaluator for every model).

Protocols (`protocols`), exact ranks and Recall@K (`recall`), compositional suites (`compositional`), multi-seed
tables (`report`)."""

from sgfns.eval.evaluator import evaluate

__all__ = ["evaluate"]
