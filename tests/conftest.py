"""Shared fixtures: where the reference material and the bundled examples live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays a fixed set of examples (derandomised) so a run is reproducible;
# locally every run explores new random examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` (seeds, corpus, spec); tests that need it skip cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not available")
    return SHARED


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The bundled example reports and their ``expected/*.json`` values."""
    if not (EXAMPLES / "expected").is_dir():
        pytest.skip("examples/ is not available")
    return EXAMPLES
