"""Organizational learning: March's (1991) mutual-learning model, the knowledge submodel of simorg.

An organizational **code** learns from the people who currently do better than it (the
**superior group**), while people are **socialized** into the code. Both converge; how fast each
learns decides how much of **reality** the organization ends up knowing. The full model and the
March validation call the same functions here, so the validation tests the model's submodel, not a
copy.

Arrays carry a batch axis R of independent organizations (runs), so many runs (even many parameter
cells) advance in one call:

- reality ``(R, m)`` int8 in {-1, +1}; code ``(R, m)`` int8 in {-1, 0, +1};
- beliefs ``(R, n, m)`` int8 in {-1, 0, +1}. A model that keeps one organization as ``(n, m)``
  passes ``beliefs[None]`` and ``code[None]`` (views); the in-place updates land in its own arrays.

Random numbers are drawn in a fixed order, with shapes that depend only on (R, n, m) (and, for
``replace_people``, on who leaves), so that anyone who calls these functions with the same Generator
and the same state draws the same numbers:

- ``initial_knowledge``: reality ``integers(0, 2, (R, m), int8)``, then beliefs
  ``integers(0, 3, (R, n, m), int8)``.
- ``knowledge_step``, every call: (1) coins for zero beliefs, ``ceil(R*n*m/8)`` bytes
  ``integers(0, 256, uint8)`` unpacked to bits in C order (run, person, dimension), a 1 bit meaning
  +1; (2) socialization uniforms ``random((R, n, m), float32)``; (3) code-learning uniforms
  ``random((R, m))`` (float64). All three are drawn even when nothing can change.
- ``turbulence``: ``random((R, m))``. ``replace_people``: ``random((R, n))``, then for the k leavers
  (in run, person order) ``integers(0, 3, (k, m), int8)``.

The full model passes a `randomness.RunStreams` instead (the replication axis: R runs of one
scenario, each with its own Generator): then run r draws, from its own stream, exactly what it
draws alone as an organization of R = 1 (its own packed coins, ``random((n, m), float32)``, ...),
so a batched run gives the numbers of the same seed run alone.

See docs/validation.md for why these rules (the recreations that match March's Figure 1).
"""

from __future__ import annotations

import numpy as np

from simorg import randomness
from simorg.mechanisms import interpersonal
from simorg.performance import NKBeliefTask, additive, additive_one
from simorg.randomness import Random, RunStreams

BELIEF = np.int8


def initial_knowledge(
    rng: np.random.Generator, n: int, m: int, runs: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw reality (R,m) in {-1,+1}, then beliefs (R,n,m) uniform in {-1,0,+1}; code starts all 0.

    The code starts neutral and beliefs carry, on average, no knowledge (March 1991, p. 75).
    """
    reality = (rng.integers(0, 2, size=(runs, m), dtype=BELIEF) * 2 - 1).astype(BELIEF)
    beliefs = (rng.integers(0, 3, size=(runs, n, m), dtype=BELIEF) - 1).astype(BELIEF)
    code = np.zeros((runs, m), dtype=BELIEF)
    return reality, beliefs, code


def _coin_bits(beliefs: np.ndarray, rng: Random) -> np.ndarray:
    """One fair coin bit per belief, in C order. One Generator packs the coins of all the
    organizations into one draw; a RunStreams of R > 1 runs draws each run's own packed bytes
    (`ceil(n*m/8)`) from its own stream, as the run alone does."""
    if isinstance(rng, RunStreams) and rng.runs > 1:
        runs = beliefs.shape[0]
        size = beliefs[0].size
        per_run = (size + 7) // 8
        packed = rng.integers(0, 256, np.full(runs, per_run), np.uint8)
        return np.unpackbits(packed.reshape(runs, per_run), axis=1)[:, :size]
    size = beliefs.size
    return np.unpackbits(rng.integers(0, 256, size=(size + 7) // 8, dtype=np.uint8))[:size]


def _actions(beliefs: np.ndarray, rng: Random) -> np.ndarray:
    """What people do: their belief, or a fair coin where they have no belief (belief 0)."""
    actions = _coin_bits(beliefs, rng).reshape(beliefs.shape).view(np.int8)
    # in place, in int8 (large temporaries are what costs here): coin ±1 where the belief is 0
    actions *= 2
    actions -= 1
    actions *= (beliefs == 0).view(np.int8)  # int8 by int8: no cast of the bool mask
    actions += beliefs
    return actions


def _scores(actions: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Σ action·reality per person, (R, n) int16: a person's performance this period."""
    return additive(actions, reality)


def performance(beliefs: np.ndarray, reality: np.ndarray, rng: Random) -> np.ndarray:
    """Performance (R,n) = Σ action·reality, where a zero belief acts as a fair ±1 coin.

    Draws the same coins as step (1) of ``knowledge_step``.
    """
    return _scores(_actions(beliefs, rng), reality)


def code_score(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """The code's score (R,) = Σ c·r: the bar a person must beat to join the superior group."""
    return additive_one(code, reality)


def _per_run(rate: float | np.ndarray, runs: int, ndim: int) -> np.ndarray:
    """Shape a rate for broadcasting against an `ndim`-D batch array.

    A scalar stays; (R,) gets trailing axes; for beliefs (ndim 3), (R,1) means per run and (R,n) per
    person, and a 3-D (R,n,1) is used as given.
    """
    arr = np.asarray(rate, dtype=np.float64)
    if arr.ndim == 0:
        return arr
    if arr.shape[0] != runs and arr.shape[0] != 1:
        raise ValueError(f"rate has {arr.shape[0]} runs, beliefs have {runs}")
    if arr.ndim == 1:
        arr = arr.reshape((arr.shape[0],) + (1,) * (ndim - 1))
    elif arr.ndim == 2 and ndim == 3:
        arr = arr[..., None]
    return arr


def knowledge_step(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    p1: float | np.ndarray,
    p2: float | np.ndarray,
    rng: Random,
    voice: np.ndarray | None = None,
    socialize_mask: np.ndarray | None = None,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """One period of mutual learning, in place on `beliefs` and `code`.

    Order (Christensen 2015; Workiewicz's recreation): people act and are scored, then they are
    socialized into the code as it stood at the start of the period, then the code learns from the
    superior group's actions of this period (taken before socialization).

    - superior group: performance > code score (and, if `voice` (R,n) is given, voice reaches
      the code);
    - code learning: S = Σ actions of the superior group per dimension; where sign(S) ≠ 0 and
      differs from the code, the code takes sign(S) with probability 1 - (1 - p2)^|S|;
    - socialization: a belief differing from a non-zero code value moves one step toward it
      (-c -> 0 -> c) with probability p1, for people in `socialize_mask` (R,n) (None = everyone).

    p1: float, per run (R,) / (R,1), or per person (R,n) / (R,n,1). p2: float or per run (R,) /
    (R,1). With an NK `task` people's performance and the code's score are the task's
    (`NKBeliefTask.actions`, `.beliefs`: a zero code value a fair coin) and "right" means as in
    the landscape's optimum (`reality` holds it); the rules are the same.
    Returns innovations: bool (R,m), code dimensions that became right this period.
    """
    runs = beliefs.shape[0]
    # (1) act: coins for zero beliefs; the summed actions of those who beat the code this period
    s = _superior_actions(beliefs, code, reality, rng, voice, task)
    # (2) socialization toward the code of the start of the period (c·move is 0 where c is 0)
    rate1 = _per_run(p1, runs, 3).astype(np.float32)
    move = randomness.uniforms(rng, beliefs.shape, np.float32) < rate1
    # the code copied out for every person: two whole-array operations with it cost a fifth of
    # what they cost broadcasting a row of m over the people
    each = np.tile(code, (1, beliefs.shape[1])).reshape(beliefs.shape)
    move &= beliefs != each
    if socialize_mask is not None:
        move &= socialize_mask[:, :, None]
    step = move.view(np.int8)  # the mask's own bytes become c·move, one step toward the code
    step *= each
    beliefs += step
    # (3) code learning from the superior group's actions
    u_code = randomness.uniforms(rng, code.shape)
    target = np.sign(s).astype(BELIEF)
    rate2 = _per_run(p2, runs, 2)
    change = (target != 0) & (target != code) & (u_code < 1.0 - (1.0 - rate2) ** np.abs(s))
    innovations = change & (target == reality)
    np.copyto(code, target, where=change)
    return innovations


def _superior_actions(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    rng: Random,
    voice: np.ndarray | None,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """Step (1): people act; S (R, m) = Σ of the actions of those who beat the code (and have
    voice). Computed before socialization, as it only depends on this period's actions."""
    actions = _actions(beliefs, rng)
    if task is None:
        superior = _scores(actions, reality) > code_score(code, reality)[:, None]
    else:
        superior = task.actions(actions) > task.beliefs(code[:, None, :])
    if voice is not None:
        superior &= voice
    # only the superior group's rows (usually few), summed run by run
    wide = np.int16 if beliefs.shape[1] < 2**15 else np.int32  # |S| <= n
    runs, _, m = beliefs.shape
    s = np.zeros((runs, m), dtype=wide)
    size = np.count_nonzero(superior, axis=1)
    if size.any():
        first = np.cumsum(size) - size
        s[size > 0] = np.add.reduceat(actions[superior], first[size > 0], axis=0, dtype=wide)
    return s


def code_knowledge(code: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Code knowledge (R,) = Σ c·r / m, March's measure of what the organization knows."""
    return code_score(code, reality) / code.shape[-1]


def individual_knowledge(beliefs: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Mean over people of Σ b·r / m, (R,)."""
    return person_knowledge(beliefs, reality).mean(axis=1)


def person_knowledge(beliefs: np.ndarray, reality: np.ndarray) -> np.ndarray:
    """Each person's Σ b·r / m, (R, n)."""
    return _scores(beliefs, reality) / beliefs.shape[-1]


def at_equilibrium(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    voice: np.ndarray | None = None,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """True (R,) where nothing can change any more without turnover or turbulence.

    Nobody (with voice, if `voice` is given) can still beat the code, even with lucky coins
    (Σ b·r + number of zero beliefs = m - 2·wrong beliefs ≤ code score), and nobody differs from a
    non-zero code value (socialization has nothing left to do). This state is absorbing.
    """
    return _nobody_can_beat(beliefs, code, reality, voice, task) & _socialized(beliefs, code)


def _nobody_can_beat(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    voice: np.ndarray | None,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """(R,) nobody (with voice) can beat the code, even with lucky coins (on an NK task: even
    the best completion of each dimension's unknown bits, an upper bound, does not beat it)."""
    if task is not None:
        can = task.best_case(beliefs) > task.beliefs(code[:, None, :])
        if voice is not None:
            can &= voice
        return ~can.any(axis=1)
    m = beliefs.shape[-1]
    wrong = np.einsum(
        "rnm->rn", (beliefs == -reality[:, None, :]).view(np.int8), dtype=np.int16, casting="safe"
    )
    can_beat = (m - 2 * wrong) > code_score(code, reality)[:, None]
    if voice is not None:
        can_beat &= voice
    return ~can_beat.any(axis=1)


def _socialized(beliefs: np.ndarray, code: np.ndarray) -> np.ndarray:
    """(R,) nobody differs from a non-zero code value: socialization has nothing left to do."""
    c = code[:, None, :]
    return ~((c != 0) & (beliefs != c)).any(axis=(1, 2))


def settled(
    beliefs: np.ndarray,
    code: np.ndarray,
    reality: np.ndarray,
    source: np.ndarray,
    target: np.ndarray,
    rule: str,
    voice: np.ndarray | None = None,
    code_learns: bool = True,
    socializes: bool = True,
    task: NKBeliefTask | None = None,
) -> np.ndarray:
    """True (R,) where neither the code, socialization nor colleagues can change anything more.

    March's equilibrium (`at_equilibrium`; only its parts that can act: nobody can beat the code
    if the code learns, nobody differs from it if people are socialized) and, on every tie people
    can learn along (source learns from target; people numbered r·n + i over the batch, both
    directions listed), nothing the peer `rule` would let pass (`interpersonal.peer_can_pass`).
    Absorbing without turnover, turbulence or other sources of new beliefs, so a run's knowledge
    when it first holds is its equilibrium knowledge. Pass no ties when people do not learn from
    each other.
    """
    runs, n, m = beliefs.shape
    if code_learns and socializes:
        done = at_equilibrium(beliefs, code, reality, voice, task)
    elif code_learns:
        done = _nobody_can_beat(beliefs, code, reality, voice, task)
    elif socializes:
        done = _socialized(beliefs, code)
    else:
        done = np.ones(runs, dtype=bool)
    if len(source):
        flat = beliefs.reshape(runs * n, m)
        person_reality = np.repeat(reality, n, axis=0)
        can = interpersonal.peer_can_pass(rule, flat, person_reality, source, target, task)
        done &= np.bincount(source[can] // n, minlength=runs) == 0
    return done


def turbulence(reality: np.ndarray, p4: float | np.ndarray, rng: Random) -> None:
    """Each dimension of reality flips with probability p4 (float or per run), in place."""
    flip = randomness.uniforms(rng, reality.shape) < _per_run(p4, reality.shape[0], 2)
    reality[flip] *= -1


def replace_people(beliefs: np.ndarray, p3: float | np.ndarray, rng: Random) -> np.ndarray:
    """Each person leaves with probability p3 and a newcomer with random beliefs takes the place.

    In place; returns the (R, n) bool mask of who was replaced.
    """
    runs, n, m = beliefs.shape
    leave = randomness.uniforms(rng, (runs, n)) < _per_run(p3, runs, 2)
    if isinstance(rng, RunStreams) and rng.runs > 1:  # each run its own leavers' beliefs
        counts = np.count_nonzero(leave, axis=1)
        if counts.any():
            beliefs[leave] = rng.integers(0, 3, counts, BELIEF, tail=(m,)) - 1
        return leave
    k = int(leave.sum())
    if k:
        beliefs[leave] = rng.integers(0, 3, size=(k, m), dtype=BELIEF) - 1
    return leave
