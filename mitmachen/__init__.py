"""Composition root: wires `service`, `schema` and `workers` into the API, the worker and the CLI."""
