"""The rule backend's rules, one kind per module, over a `Draft` graph (`draft.py`) and token look-ups
(`tokens.py`): `objects.py` (which tokens are things, their names and counts), `attributes.py` (adjectives of a
noun, predicative adjectives), `prepositions.py` (relations from prepositions, multi-word predicates) and
`relations.py` (verb objects, possessives, clothing worn). `spacy_rules.py` runs them in order."""
