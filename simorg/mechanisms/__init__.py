"""One module per process of the model (docs/odd.md, Process overview), each a function of (state, parameters, rng).

Order of a step (simorg/step.py, after the interventions due): customers speak, requests travel,
complaints and learning from failure, customers judge and talk, colleagues talk, organizational
learning, culture, turnover, purchases. Each works on one run or a batch of runs alike (simorg/batch.py).
"""
