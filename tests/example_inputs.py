"""The bundled example reports as batch input, shared by the export and Dask tests."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
INPUT_SUFFIXES = (".txt", ".md", ".html", ".pdf", ".docx")


def copy_inputs(dest: Path) -> None:
    """Copy every example report (all input types, not the expected JSON) into ``dest``."""
    for p in EXAMPLES.iterdir():
        if p.is_file() and p.suffix in INPUT_SUFFIXES:
            shutil.copy(p, dest / p.name)
