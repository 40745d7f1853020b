"""Validation of simorg's submodels against published models (March 1991 for knowledge)."""
