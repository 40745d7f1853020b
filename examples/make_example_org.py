"""Generate the synthetic example organization in examples/example_org/ (people.csv, ties.csv).

    .venv/bin/python examples/make_example_org.py [--seed 2026] [--out examples/example_org]

"Northwind Analytics": 12 departments of very different sizes (a 2-person legal team, an
80-person engineering department), shaped unlike simorg's builders on purpose:

- reporting lines with spans of control drawn per manager (2 to 12) instead of one fixed span,
  so some teams are deep and narrow and others flat;
- the department heads report to the CEO in an Executive Office, so reporting lines cross
  departments at the top;
- ties that are heavy-tailed (a few hubs know many people), clustered in teams (everyone is tied
  to their manager and to most team mates), with about a third crossing departments, mostly
  through a few "liaison" people per department, and with weights (messages per month);
- customer-facing people in Customer Support and Sales (the `customer_facing` column), a
  `leader` column that also names a few senior experts without reports, a `site` column (kept as
  an attribute, ignored by the model) and a `name` column (dropped on import as personal data);
- ids are (made-up, example.org) e-mail addresses, so importing it shows the pseudonyms at work.

Everything is drawn from one seeded numpy generator: the same seed writes the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

DEPARTMENTS = {  # name: people
    "Executive Office": 4,
    "Customer Support": 46,
    "Sales": 38,
    "Engineering": 80,
    "Product": 22,
    "Data Science": 28,
    "Operations": 34,
    "Marketing": 18,
    "Finance": 14,
    "People": 10,
    "Facilities": 6,
    "Legal": 2,
}
FIRST = [
    "ada",
    "alan",
    "grace",
    "linus",
    "barbara",
    "edsger",
    "frances",
    "donald",
    "margaret",
    "ken",
    "dennis",
    "radia",
    "john",
]
LAST = [
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "liskov",
    "dijkstra",
    "allen",
    "knuth",
    "hamilton",
    "thompson",
    "perlman",
]
SITES = ("Lisbon", "Leeds", "Lyon")


def generate(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    names = list(DEPARTMENTS)
    department = np.repeat(np.arange(len(names)), list(DEPARTMENTS.values()))
    n = len(department)
    manager = np.full(n, -1)
    ceo = 0
    for d in range(len(names)):
        members = np.flatnonzero(department == d)
        head = members[0]
        if head != ceo:
            manager[head] = ceo  # department heads report to the CEO
        frontier = [head]
        queue = list(members[1:])
        while queue:  # breadth first, each manager with their own span
            boss = frontier.pop(0)
            span = int(rng.integers(2, 13))
            reports, queue = queue[:span], queue[span:]
            manager[reports] = boss
            frontier.extend(reports)
    leader = np.zeros(n, dtype=bool)
    leader[np.unique(manager[manager >= 0])] = True
    leader[ceo] = True
    experts = rng.choice(np.flatnonzero(~leader), size=6, replace=False)
    leader[experts] = True  # senior experts: leaders without reports
    customer_facing = np.isin(department, [names.index("Customer Support"), names.index("Sales")])
    customer_facing &= rng.random(n) < 0.8

    ties: dict[tuple[int, int], float] = {}

    def tie(a: int, b: int, w: float) -> None:
        if a != b:
            key = (min(a, b), max(a, b))
            ties[key] = ties.get(key, 0.0) + w

    for i in np.flatnonzero(manager >= 0):
        tie(i, manager[i], float(rng.integers(8, 30)))
    for boss in np.unique(manager[manager >= 0]):
        team = np.flatnonzero(manager == boss)
        for x in range(len(team)):
            for y in range(x + 1, len(team)):
                if rng.random() < 0.7:
                    tie(team[x], team[y], float(rng.integers(2, 15)))
    # heavy tails: each person's sociability from a Pareto law; partners chosen in proportion to it
    social = rng.pareto(1.5, size=n) + 0.2
    liaison = np.zeros(n, dtype=bool)
    for d in range(len(names)):
        members = np.flatnonzero(department == d)
        liaison[rng.choice(members, size=max(1, len(members) // 8), replace=False)] = True
    for i in range(n):
        for _ in range(int(rng.poisson(1.0 + social[i]))):
            same = np.flatnonzero(department == department[i])
            p = social[same] / social[same].sum()
            tie(i, int(rng.choice(same, p=p)), float(rng.integers(1, 6)))
        cross_count = int(rng.poisson(10.0 if liaison[i] else 1.0))
        for _ in range(cross_count):
            other = np.flatnonzero(
                (department != department[i]) & (liaison | (rng.random(n) < 0.1))
            )
            p = social[other] / social[other].sum()
            tie(i, int(rng.choice(other, p=p)), float(rng.integers(1, 6)))

    first = rng.choice(FIRST, size=n)
    last = rng.choice(LAST, size=n)
    ids = [f"{f}.{ln}.{k}@example.org" for k, (f, ln) in enumerate(zip(first, last, strict=True))]
    people = pd.DataFrame(
        {
            "id": ids,
            "name": [f"{f.title()} {ln.title()}" for f, ln in zip(first, last, strict=True)],
            "department": [names[d] for d in department],
            "manager": [ids[m] if m >= 0 else "" for m in manager],
            "leader": np.where(leader, "true", "false"),
            "customer_facing": np.where(customer_facing, "true", "false"),
            "site": rng.choice(SITES, size=n),
        }
    )
    pairs = np.array(sorted(ties))
    swap = rng.random(len(pairs)) < 0.5  # directions as they come in real exports
    src = np.where(swap, pairs[:, 1], pairs[:, 0])
    dst = np.where(swap, pairs[:, 0], pairs[:, 1])
    tie_table = pd.DataFrame(
        {
            "source": [ids[i] for i in src],
            "target": [ids[j] for j in dst],
            "weight": [ties[tuple(p)] for p in pairs.tolist()],
        }
    )
    return people, tie_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "example_org")
    args = parser.parse_args()
    people, ties = generate(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    people.to_csv(args.out / "people.csv", index=False)
    ties.to_csv(args.out / "ties.csv", index=False)
    print(f"{len(people)} people, {len(ties)} ties written to {args.out}/")


if __name__ == "__main__":
    main()
