"""The simorg explorer: a Solara app to watch, steer and compare organizations in the browser.

Only modules under `simorg/app/` import solara, and only `app.py` and the component modules do;
`cli.py` (imported whenever `simorg` starts) imports nothing heavy. The pure drawing and run modules
(`layout.py`, `network.py`, `charts.py`, `session.py`) use numpy only and are tested without a browser.
"""
