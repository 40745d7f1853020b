"""One module per process of MODEL.md, each a function of (state, parameters, rng).

Order of a step (model.py): interventions, customers speak, requests travel, customers judge and
talk, colleagues talk, organizational learning, culture, turnover, purchases.
"""
