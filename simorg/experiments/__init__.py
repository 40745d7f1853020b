"""The experiment layer: sweeps, replications, comparisons, reports and sensitivity analysis.

- `design`: the experiment file (TOML) and how it resolves into variants, runs and seeds;
- `runner`: one run and a chunk of runs, inside a worker;
- `executors`: the local process pool or Dask, and the loop that feeds them chunks (lost executors);
- `sweep`: orchestration: a design's unfinished runs, sent to an executor, committed to a store;
- `store`: the results folder (lock, manifest with checksums, runs/ and steps/ parts, quarantine);
- `stats`: means, t intervals, paired differences and effect sizes;
- `compare`, `report`, `sensitivity`: what `simorg compare`, `simorg report` and
  `simorg sensitivity` print and write;
- `cli`: those commands and `simorg sweep`.

Nothing heavy is imported here: `simorg` imports `simorg.experiments.cli` at every start.
"""
