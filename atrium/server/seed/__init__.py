"""Demo content for the Atrium server: ``seed_demo`` builds a deterministic demo company (and,
with ``scale``, many more posts for benchmarks), with every object in the sync feed."""

from __future__ import annotations

from .demo import DemoSummary, SeedError, seed_demo

__all__ = ["DemoSummary", "SeedError", "seed_demo"]
