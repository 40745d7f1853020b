"""simorg: an agent-based simulation of organizational communication.

An organization of employees, leaders and customers who talk (or don't) across a structure; see
docs/odd.md for the model and README.md for how to run it.
"""

__version__ = "0.1.0"
