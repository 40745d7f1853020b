"""Stable pseudonyms for ids that identify a person (names, e-mail addresses, personnel codes).

An id made only of digits is kept as it is; any other id is replaced on import by `p` and 16 hex
digits: the keyed SipHash-2-4 of the id (pandas' vectorised `hash_pandas_object` with a hash key).
The key comes from the environment variable SIMORG_PSEUDONYM_KEY when it is set, else a fixed
default. The same id under the same key always gives the same pseudonym (so results of different
runs and files line up); with the default key anyone who guesses an address can compute its
pseudonym, so set a secret key when that matters. The original ids are never stored.
"""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pandas as pd

KEY_VARIABLE = "SIMORG_PSEUDONYM_KEY"
DEFAULT_KEY = "simorg pseudonym"


def _hash_key() -> str:
    """16 printable ASCII characters (what pandas' SipHash takes) derived from the user's key."""
    secret = os.environ.get(KEY_VARIABLE) or DEFAULT_KEY
    digest = hashlib.sha256(secret.encode("utf-8")).digest()[:16]
    return "".join(chr(33 + b % 94) for b in digest)


def is_plain(ids: pd.Series) -> np.ndarray:
    """(n,) bool: the id is a plain number (kept), not a name or address (replaced)."""
    return ids.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)


def pseudonymise(ids: pd.Series) -> pd.Series:
    """Ids with every non-numeric id replaced by its stable pseudonym."""
    plain = is_plain(ids)
    if plain.all():
        return ids
    hashed = pd.util.hash_pandas_object(ids[~plain], index=False, hash_key=_hash_key())
    out = ids.copy()
    out[~plain] = ["p" + format(int(h), "016x") for h in hashed.to_numpy()]
    return out


def shown(value: object) -> str:
    """How an id may appear in a message: numbers as they are, anything else hidden."""
    text = str(value)
    return repr(text) if text.isdigit() else "(a name or address, not shown)"
