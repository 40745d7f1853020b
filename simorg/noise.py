"""What counts as beyond noise when a lever is moved alone (`simorg levers`).

Effects are in units of run-to-run sd (paired seeds); light on purpose, so that the command line
can show it as a default without loading the model.
"""

THRESHOLD = 2.0  # |effect| in sd from which a lever counts as moving an outcome
