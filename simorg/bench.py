"""`simorg bench`: how fast a step is, against a plain per-agent Mesa model of one mechanism.

For each size the benchmark runs, in a fresh process (so peak memory is the size's own):
- simorg's full step on the `social_business` scenario (every mechanism, arrays);
- a per-agent Mesa model of *one* mechanism, colleagues talk: each agent, in turn, reads each of its
  neighbours and updates a trust per tie in Python, on the same network.
It reports ms per step, agent-steps per second, peak memory, and the ratio of the two step costs.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Annotated

import typer

from simorg.errors import SimorgError, one_line_errors, whole_number


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bench_simorg(employees: int, steps: int) -> dict:
    from simorg.model import OrgModel
    from simorg.scenario import load, with_overrides

    sc = with_overrides(
        load("social_business"),
        {"organization.employees": employees, "customers.count": employees},
    )
    t0 = time.perf_counter()
    model = OrgModel(sc, seed=1)
    build = time.perf_counter() - t0
    model.step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    per_step = (time.perf_counter() - t0) / steps
    agents = employees + sc.customers.count
    return {
        "model": "simorg (all mechanisms)",
        "employees": employees,
        "agents": agents,
        "build_s": build,
        "ms_per_step": per_step * 1e3,
        "agent_steps_per_s": agents / per_step,
        "peak_mb": _peak_mb(),
    }


def _bench_per_agent(employees: int, steps: int) -> dict:
    """The same network and one mechanism, written as Mesa's examples write a network model.

    Agents are `CellAgent`s on a `mesa.discrete_space.Network` (layout=None, so no spring layout);
    each step every agent, in random order, reads each neighbour through its cell's neighbourhood
    and updates its trust in that neighbour in Python.
    """
    import mesa
    from mesa.discrete_space import CellAgent, Network

    from simorg.model import OrgModel
    from simorg.scenario import load, with_overrides

    sc = with_overrides(load("social_business"), {"organization.employees": employees})
    graph = OrgModel(sc, seed=1).graph
    gain, decay = sc.conversation.trust_gain, sc.conversation.trust_decay

    class Talker(CellAgent):
        def __init__(self, model: mesa.Model, cell, practice: float) -> None:
            super().__init__(model)
            self.cell = cell
            self.practice = practice
            self.trust: dict[Talker, float] = {}

        def step(self) -> None:
            rnd = self.random.random
            for other in self.cell.neighborhood.agents:
                t = self.trust.get(other, 0.5)
                if rnd() < self.practice and rnd() < other.practice:
                    self.trust[other] = t + gain * (1.0 - t)
                else:
                    self.trust[other] = t * (1.0 - decay)

    class Gossip(mesa.Model):
        def __init__(self) -> None:
            super().__init__(rng=1)
            self.network = Network(graph, random=self.random, layout=None)
            practice = self.rng.random(graph.number_of_nodes())
            for node, cell in self.network._cells.items():
                Talker(self, cell, float(practice[node]))

        def step(self) -> None:
            self.agents.shuffle_do("step")

    t0 = time.perf_counter()
    model = Gossip()
    build_s = time.perf_counter() - t0
    model.step()
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    per_step = (time.perf_counter() - t0) / steps
    return {
        "model": "per-agent Mesa, colleagues talk only",
        "employees": employees,
        "agents": employees,
        "build_s": build_s,
        "ms_per_step": per_step * 1e3,
        "agent_steps_per_s": employees / per_step,
        "peak_mb": _peak_mb(),
    }


def _one(kind: str, employees: int, steps: int) -> dict:
    fn = _bench_simorg if kind == "simorg" else _bench_per_agent
    return fn(employees, steps)


def run_benchmark(sizes: list[int], steps: int) -> list[dict]:
    rows = []
    for n in sizes:
        for kind in ("simorg", "per_agent"):
            k_steps = steps if kind == "simorg" or n <= 10_000 else max(2, steps // 5)
            out = subprocess.run(
                [sys.executable, "-m", "simorg.bench", kind, str(n), str(k_steps)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(out.stdout))
    return rows


def register(app: typer.Typer) -> None:
    @app.command("bench")
    @one_line_errors
    def bench_command(
        sizes: Annotated[
            str, typer.Option(help="Employee counts (as many customers), comma-separated")
        ] = "1000,10000,100000",
        steps: Annotated[str, typer.Option(metavar="T", help="Timed steps per size")] = "20",
        as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON")] = False,
    ) -> None:
        """Measure ms per step, agent-steps/s and peak memory against a per-agent Mesa model."""
        ns = []
        for item in sizes.split(","):
            if item.strip():
                n = whole_number(item, "--sizes", 10, 1_000_000)
                assert n is not None
                ns.append(n)
        if not ns:
            raise SimorgError("--sizes: give employee counts like 1000,10000")
        steps_n = whole_number(steps, "--steps", 1, 10_000)
        assert steps_n is not None
        rows = run_benchmark(ns, steps_n)
        if as_json:
            typer.echo(json.dumps(rows, indent=1))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title="simorg bench: social_business scenario vs a per-agent Mesa model")
        for col in ("model", "employees", "ms/step", "agent-steps/s", "peak MB"):
            table.add_column(col, justify="left" if col == "model" else "right")
        for r in rows:
            table.add_row(
                r["model"],
                f"{r['employees']:,}",
                f"{r['ms_per_step']:.1f}",
                f"{r['agent_steps_per_s']:,.0f}",
                f"{r['peak_mb']:.0f}",
            )
        console = Console()
        console.print(table)
        by = {(r["model"].startswith("simorg"), r["employees"]): r for r in rows}
        for n in ns:
            a, b = by[(True, n)], by[(False, n)]
            console.print(
                f"{n:>9,} employees: a full simorg step costs {a['ms_per_step'] / b['ms_per_step']:.3f}"
                f" of one per-agent mechanism step"
            )


if __name__ == "__main__":
    print(json.dumps(_one(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
