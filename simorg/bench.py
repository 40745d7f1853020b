"""`simorg bench`: how fast a step is, against a per-agent Mesa model doing the same work per person.

For each size the benchmark runs, each in a fresh process (so peak memory is the size's own), over
the same number of timed steps after one warm-up step:

- simorg's full step on the `social_business` scenario (every mechanism, arrays), with as many
  customers as employees;
- simorg's colleagues-talk mechanism alone (conversations.colleagues_talk) on the same state;
- a per-agent Mesa model of that one mechanism, written as Mesa's examples write a network model:
  each agent, in random order, makes the same contacts as simorg's people (`conversation.contacts`
  along its ties, a cross-department tie chosen with weight equal to its permeability, plus
  Poisson(platform_contacts × practice) contacts with anyone), opens each with the same chance
  (both share, with trust-dependent willingness), moves trust on both directions of the tie, keeps
  the tie's recent-contact count, and in an open contact both sides learn on `topics` dimensions.

And the replication axis (`--replications R`): R runs of the default scenario (300 employees, 1,000
customers) run one after another alone (`simulate`, outcomes every 5th step as a sweep records them)
and then as one batch (`simulate_batch`), in one process: CPU seconds per run and their ratio, the
gain a sweep gets per core from batching (benchmarks/sweep_scaling.py measures it through whole
sweeps, with workers).

Agent-steps are counted the same way on both sides: employees (customers are reported beside them,
never counted as agents). Time is CPU time of the process (`time.process_time`) and wall time;
the machine's load (1-minute load average, before and after) and each run's CPU share of its wall
time are printed, since a busy machine makes wall times meaningless.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import Annotated

import typer

from simorg.errors import SimorgError, one_line_errors, whole_number
from simorg.limits import MAX_EMPLOYEES, MIN_EMPLOYEES

SCENARIO = "social_business"
MAX_BENCH_STEPS = 10_000  # timed steps per size or run: enough for a steady figure, bounded time
MAX_BENCH_REPLICATIONS = (
    1024  # runs of the replication benchmark: a typo cannot start hours of work
)
TABLE_WIDTH = 120  # the results table is printed at least this wide, so its columns are not cut


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _scenario(employees: int, customers: int):
    from simorg.scenario import load, with_overrides

    return with_overrides(
        load(SCENARIO), {"organization.employees": employees, "customers.count": customers}
    )


def _timed(step, steps: int) -> tuple[float, float]:
    """(CPU s, wall s) per step over `steps` steps, after one warm-up step."""
    step()
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    return (time.process_time() - c0) / steps, (time.perf_counter() - w0) / steps


def _row(model: str, employees: int, customers: int, build: float, cpu: float, wall: float,
         contacts: float) -> dict:  # fmt: skip
    return {
        "model": model,
        "employees": employees,
        "customers": customers,
        "build_cpu_s": build,
        "ms_per_step": cpu * 1e3,
        "wall_ms_per_step": wall * 1e3,
        "cpu_share": cpu / wall if wall > 0 else float("nan"),
        "employee_steps_per_s": employees / cpu if cpu > 0 else float("inf"),
        "contacts_per_employee": contacts,
        "peak_mb": _peak_mb(),
    }


def _bench_simorg(employees: int, steps: int) -> dict:
    from simorg.model import OrgModel

    sc = _scenario(employees, employees)
    c0 = time.process_time()
    model = OrgModel(sc, seed=1)
    build = time.process_time() - c0
    cpu, wall = _timed(model.step, steps)
    contacts = float(model.state.tally.contacts[0]) / employees
    return _row("simorg full step", employees, employees, build, cpu, wall,
                contacts)  # fmt: skip


def _bench_simorg_talk(employees: int, steps: int) -> dict:
    from simorg.mechanisms import conversations
    from simorg.model import OrgModel

    sc = _scenario(employees, employees)
    c0 = time.process_time()
    model = OrgModel(sc, seed=1)
    build = time.process_time() - c0
    st, rng = model.state, model.streams["conversations"]
    cpu, wall = _timed(lambda: conversations.colleagues_talk(st, st.params, rng), steps)
    contacts = float(st.tally.contacts[0]) / employees
    return _row("simorg talk only", employees, 0, build, cpu, wall, contacts)


def _bench_per_agent(employees: int, steps: int) -> dict:
    """simorg's colleagues-talk mechanism, one agent at a time, as Mesa's examples write it.

    Agents are `CellAgent`s on a `mesa.discrete_space.Network` (layout=None, so no spring
    layout); the neighbour lists are read from the cells once at build time, which favours the
    baseline. Trust and recent contacts are dicts per agent; a tie's recent-contact count decays
    lazily (by the steps since it was last touched), so no step touches every tie.
    """
    import mesa
    from mesa.discrete_space import CellAgent, Network

    from simorg.model import OrgModel

    sc = _scenario(employees, 0)
    base = OrgModel(sc, seed=1)
    graph, state = base.graph, base.state
    conv, lr = sc.conversation, sc.learning
    perm_of = state.permeability.tolist()
    initial, tau, memory = conv.initial_tie_trust, conv.trust_sharing, conv.contact_memory
    gain, decay = conv.trust_gain, conv.trust_decay
    topics, p_peer, m = min(conv.topics, lr.dimensions), lr.peer_learning, lr.dimensions
    platform = bool(sc.organization.platform) and conv.platform_contacts > 0

    class Talker(CellAgent):
        def __init__(self, model: mesa.Model, cell, slot: int) -> None:
            super().__init__(model)
            self.cell = cell
            self.department = int(state.structure.department[slot])
            self.practice = float(state.practice[slot])
            self.beliefs = state.beliefs[0, slot].tolist()
            self.trust: dict[Talker, float] = {}
            self.recent: dict[Talker, tuple[float, int]] = {}
            self.neighbours: list[Talker] = []
            self.weights: list[float] = []

        def willing(self, other: Talker) -> float:
            return self.practice * (1.0 - tau + 2.0 * tau * self.trust.get(other, initial))

        def performance(self) -> int:
            return sum(b * r for b, r in zip(self.beliefs, reality, strict=True))

        def contact(self, other: Talker, on_tie: bool) -> bool:
            rnd = self.random.random
            opened = rnd() < self.willing(other) * other.willing(self)
            if on_tie:
                now = self.model.steps
                for x, y in ((self, other), (other, self)):
                    t = x.trust.get(y, initial)
                    x.trust[y] = gain + (1.0 - gain) * t if opened else (1.0 - decay) * t
                    r, last = x.recent.get(y, (0.0, now))
                    x.recent[y] = (r * memory ** (now - last) + 1.0, now)
            if opened and p_peer > 0:
                t = self.trust.get(other, initial) if on_tie else initial
                mine, theirs = self.performance(), other.performance()
                for j in self.random.sample(range(m), topics):
                    a, b = self.beliefs[j], other.beliefs[j]
                    if a != b:
                        if b != 0 and theirs > mine and rnd() < p_peer * t:
                            self.beliefs[j] = a + (1 if b > a else -1)
                        if a != 0 and mine > theirs and rnd() < p_peer * t:
                            other.beliefs[j] = b + (1 if a > b else -1)
            return opened

        def step(self) -> None:
            rnd = self.random.random
            if self.neighbours:
                top = max(self.weights)
                for _ in range(conv.contacts):  # one tie ∝ permeability, by rejection
                    while True:
                        k = int(rnd() * len(self.neighbours))
                        if rnd() * top < self.weights[k]:
                            break
                    self.contact(self.neighbours[k], True)
            if platform:
                everyone = self.model.everyone
                for _ in range(int(self.model.rng.poisson(conv.platform_contacts * self.practice))):
                    other = everyone[int(rnd() * len(everyone))]
                    if other is not self:
                        self.contact(other, False)

    reality = state.reality[0].tolist()

    class Gossip(mesa.Model):
        def __init__(self) -> None:
            super().__init__(rng=1)
            self.network = Network(graph, random=self.random, layout=None)
            self.everyone = [Talker(self, cell, node) for node, cell in self.network._cells.items()]
            for agent in self.everyone:
                agent.neighbours = list(agent.cell.neighborhood.agents)
                agent.weights = [
                    1.0
                    if o.department == agent.department
                    else min(perm_of[o.department], perm_of[agent.department])
                    for o in agent.neighbours
                ]

        def step(self) -> None:
            self.agents.shuffle_do("step")

    c0 = time.process_time()
    model = Gossip()
    build = time.process_time() - c0
    cpu, wall = _timed(model.step, steps)
    contacts = conv.contacts + (conv.platform_contacts * float(state.practice.mean()) if platform
                                else 0.0)  # fmt: skip
    return _row("per-agent Mesa talk", employees, 0, build, cpu, wall, contacts)


KINDS = {"simorg": _bench_simorg, "simorg_talk": _bench_simorg_talk, "per_agent": _bench_per_agent}


def replications(runs: int, steps: int, every: int = 5) -> dict:
    """CPU seconds per run of the default scenario: `runs` runs alone, then as one batch (the
    same seeds; the results are checked equal)."""
    from simorg.replications import simulate_batch
    from simorg.scenario import load
    from simorg.simulate import simulate

    sc = load(SCENARIO)
    seeds = list(range(1, runs + 1))
    simulate(sc, steps=2, seed=0)  # warm-up (imports, caches)
    load_before = os.getloadavg()[0]
    c0, w0 = time.process_time(), time.perf_counter()
    alone = [simulate(sc, steps=steps, seed=s, every=every) for s in seeds]
    c1, w1 = time.process_time(), time.perf_counter()
    batched = simulate_batch(sc, seeds, steps=steps, every=every)
    c2, w2 = time.process_time(), time.perf_counter()
    if any(a.final != b.final for a, b in zip(alone, batched, strict=True)):
        raise SimorgError("a batched replication differs from its seed alone: please report this")
    return {
        "scenario": SCENARIO,
        "runs": runs,
        "steps": steps,
        "alone_cpu_s_per_run": (c1 - c0) / runs,
        "batched_cpu_s_per_run": (c2 - c1) / runs,
        "alone_wall_s_per_run": (w1 - w0) / runs,
        "batched_wall_s_per_run": (w2 - w1) / runs,
        "batched_gain": (c1 - c0) / max(c2 - c1, 1e-9),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def _one(kind: str, employees: int, steps: int) -> dict:
    return KINDS[kind](employees, steps)


def run_benchmark(sizes: list[int], steps: int) -> list[dict]:
    """Every kind at every size, each in its own process, over the same `steps` timed steps."""
    rows = []
    for n in sizes:
        for kind in KINDS:
            before = os.getloadavg()[0]
            out = subprocess.run(
                [sys.executable, "-m", "simorg.bench", kind, str(n), str(steps)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout)
            row["load_before"], row["load_after"] = before, os.getloadavg()[0]
            row["steps"] = steps
            rows.append(row)
    return rows


def ratios(rows: list[dict]) -> list[dict]:
    """Per size: the full simorg step and simorg's talk mechanism over the per-agent step (CPU)."""
    out = []
    for n in dict.fromkeys(r["employees"] for r in rows):
        at = {r["model"]: r["ms_per_step"] for r in rows if r["employees"] == n}
        agent = at["per-agent Mesa talk"]
        out.append(
            {
                "employees": n,
                "full_over_per_agent": at["simorg full step"] / agent,
                "talk_over_per_agent": at["simorg talk only"] / agent,
            }
        )
    return out


def register(app: typer.Typer) -> None:
    @app.command("bench")
    @one_line_errors
    def bench_command(
        sizes: Annotated[
            str, typer.Option(help="Employee counts (as many customers), comma-separated")
        ] = "1000,10000,100000",
        steps: Annotated[
            str, typer.Option(metavar="T", help="Timed steps per size, the same for every model")
        ] = "10",
        runs: Annotated[
            str,
            typer.Option(
                "--replications",
                metavar="R",
                help="Also time R runs of the default scenario alone and batched (0: skip)",
            ),
        ] = "16",
        run_steps: Annotated[
            str, typer.Option(metavar="T", help="Steps of each of those runs")
        ] = "50",
        as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON")] = False,
    ) -> None:
        """CPU time per step, employee-steps/s and peak memory, against a per-agent Mesa model;
        and runs per CPU-second, batched against alone."""
        ns = []
        for item in sizes.split(","):
            if item.strip():
                n = whole_number(item, "--sizes", MIN_EMPLOYEES, MAX_EMPLOYEES)
                assert n is not None
                ns.append(n)
        if not ns:
            raise SimorgError("--sizes: give employee counts like 1000,10000")
        steps_n = whole_number(steps, "--steps", 1, MAX_BENCH_STEPS)
        assert steps_n is not None
        reps = whole_number(runs, "--replications", 0, MAX_BENCH_REPLICATIONS) or 0
        reps_steps = whole_number(run_steps, "--run-steps", 1, MAX_BENCH_STEPS) or 1
        rows = run_benchmark(ns, steps_n)
        batched = replications(reps, reps_steps) if reps else None
        if as_json:
            out = {"rows": rows, "ratios": ratios(rows), "replications": batched}
            typer.echo(json.dumps(out, indent=1))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(
            title=f"simorg bench: {SCENARIO}, {steps_n} timed steps each, CPU time per step"
        )
        cols = ("model", "employees", "customers", "contacts/person", "CPU ms/step",
                "wall ms/step", "employee-steps/s", "build CPU s", "peak MB")  # fmt: skip
        for col in cols:
            table.add_column(col, justify="left" if col == "model" else "right")
        for r in rows:
            table.add_row(
                r["model"],
                f"{r['employees']:,}",
                f"{r['customers']:,}",
                f"{r['contacts_per_employee']:.2f}",
                f"{r['ms_per_step']:.2f}",
                f"{r['wall_ms_per_step']:.2f}",
                f"{r['employee_steps_per_s']:,.0f}",
                f"{r['build_cpu_s']:.3f}",
                f"{r['peak_mb']:.0f}",
            )
        console = Console(width=max(Console().width, TABLE_WIDTH))
        console.print(table)
        loads = ", ".join(
            f"{r['model']} {r['employees']:,}: {r['load_before']:.1f}/{r['load_after']:.1f}, "
            f"CPU share {r['cpu_share']:.2f}"
            for r in rows
        )
        console.print(
            f"Machine: {os.cpu_count()} CPUs; load average before/after each run: {loads}. "
            "A CPU share below 1 means the run waited for a CPU: compare CPU times, not wall times."
        )
        for q in ratios(rows):
            console.print(
                f"{q['employees']:>9,} employees: a full simorg step costs "
                f"{q['full_over_per_agent']:.3f} of the per-agent talk step; simorg's talk "
                f"mechanism {q['talk_over_per_agent']:.4f}"
            )
        if batched is not None:
            b = batched
            console.print(
                f"{b['runs']} runs of {b['scenario']} ({b['steps']} steps): "
                f"{b['alone_cpu_s_per_run'] * 1e3:.0f} ms CPU per run alone, "
                f"{b['batched_cpu_s_per_run'] * 1e3:.0f} ms batched: {b['batched_gain']:.2f}x "
                f"runs per core (load {b['load_before']:.1f}/{b['load_after']:.1f})"
            )


if __name__ == "__main__":
    print(json.dumps(_one(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
