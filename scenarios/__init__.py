"""The shipped scenarios, installed as the data package `simorg.scenarios` (see pyproject.toml).

This file only makes the folder a package, so that importlib.resources finds the .toml files the
same way in a wheel and in an editable install; `simorg scenarios` lists them.
"""
