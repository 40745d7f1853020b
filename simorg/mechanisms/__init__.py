"""One module per process of the model (docs/odd.md, Process overview), each a function of (state, parameters, rng).

Order of a step (model.py): interventions, customers speak, requests travel, customers judge and
talk, colleagues talk, organizational learning, culture, turnover, purchases.
"""
