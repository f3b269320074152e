"""Contrasts of an adjective are the same in every process: WordNet antonyms come out of a set, and a set of strings
iterates in an order that changes with Python's per-process string hashing, which made `sgfns negatives` pick
'single' -> 'married' in one run and 'single' -> 'double' in the next."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = "from sgfns.text.adjectives import contrasts, wordnet_contrasts as w; print(w('single'), contrasts('single'))"


def test_wordnet_contrasts_do_not_depend_on_string_hashing():
    outs = {
        subprocess.run([sys.executable, "-c", CODE], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
                       text=True, check=True).stdout
        for seed in ("1", "2", "3", "4")
    }  # fmt: skip
    assert len(outs) == 1, outs
    assert "married" in outs.pop()  # several antonyms, so their order is what is being tested
