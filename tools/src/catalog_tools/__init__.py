"""Shared tooling for the catalog's pattern folders: local stack, data generators, test fixtures.

Only ``tests/``, ``examples/`` and ``benchmarks/`` of a pattern folder import this package; a
folder's ``src/`` never does, so it stays copyable into another project.
"""
