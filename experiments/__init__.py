"""The shipped experiments, installed as the data package `simorg.experiments.shipped` (see pyproject.toml).

This file only makes the folder a package, so that importlib.resources finds the .toml files the
same way in a wheel and in an editable install; `simorg experiments` lists them.
"""
