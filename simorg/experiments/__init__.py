"""The experiment layer: sweeps, replications, comparisons, reports and sensitivity analysis.

- `design`: the experiment file (TOML) and how it resolves into variants, runs and seeds;
- `runner`: one run, a chunk of runs, and the executors (local process pool or Dask) that run them;
- `store`: the results folder (manifest.json, runs/*.parquet, steps/*.parquet), resume and refusal;
- `stats`: means, t intervals, paired differences and effect sizes;
- `compare`, `report`, `sensitivity`: what `simorg compare`, `simorg report` and
  `simorg sensitivity` print and write;
- `cli`: those commands and `simorg sweep`.

Nothing heavy is imported here: `simorg` imports `simorg.experiments.cli` at every start.
"""
