"""Shared fixtures: where the reference material and the bundled examples live."""

from __future__ import annotations

from pathlib import Path

import pytest

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
