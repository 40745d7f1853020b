"""The design of March's (1991) experiments as simorg reproduces them: sizes, rates and periods.

Apart from the runner (march1991.py) so that the command line can show them as defaults without
loading numpy.
"""

N_PEOPLE = 50
M_DIMENSIONS = 30
RUNS = 80  # March's "80 iterations" per cell
SEED = 1991
MAX_PERIODS = 10_000  # safety cap on the way to equilibrium; none of our runs has come near it

DEFAULT_P1 = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_P2 = (0.1, 0.5, 0.9)

MIXED_P1 = (0.1, 0.9)  # slow, fast
MIXED_P2 = 0.5
MIXED_FAST = (0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50)
MIXED_PERIOD = 20  # Figure 3 reports period-20 knowledge

TURNOVER_P1 = (0.1, 0.9)
TURNOVER_P2 = 0.5
TURNOVER_P3 = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)
TURNOVER_PERIOD = 20  # Figure 4 reports period-20 code knowledge

TURBULENCE_P1 = 0.5
TURBULENCE_P2 = 0.5
TURBULENCE_P3 = (0.0, 0.1)
TURBULENCE_P4 = 0.02
TURBULENCE_PERIODS = 100  # Figure 5 plots periods 0..100

EXPERIMENTS = ("figure1", "mixed", "turnover", "turbulence")
