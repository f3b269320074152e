"""Losses: L_match (VSE++ hinge with hardest negatives, known positives masked) and the hook for extra terms."""

from sgfns.losses.contrastive import batch_positive_mask, hinge_triplet, info_nce
from sgfns.losses.hooks import ExtraLossTerm

__all__ = ["ExtraLossTerm", "batch_positive_mask", "hinge_triplet", "info_nce"]
