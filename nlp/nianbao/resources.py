"""Access to the package's data files (YAML/TSV/TXT under ``nianbao/data``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def data_path(name: str) -> Path:
    return Path(str(resources.files("nianbao") / "data" / name))


@lru_cache(maxsize=64)
def load_yaml(name: str) -> Any:
    import yaml

    with data_path(name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def any_of(patterns: Iterable[str]) -> re.Pattern[str]:
    """Patterns whose only use is "does any match here?" as one alternation: one try in C instead of one per pattern."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def repo_dir() -> Path:
    """The source checkout this package runs from (``training_data/``, ``examples/`` live there)."""
    return Path(__file__).resolve().parents[2]


def model_dir(name: str) -> Path:
    """A shipped model folder (``models/<name>`` in the repo, installed as ``nianbao.models``).

    ``$NIANBAO_MODELS`` points at another folder of model folders.
    """
    env = os.environ.get("NIANBAO_MODELS")
    if env:
        return Path(env) / name
    return Path(str(resources.files("nianbao.models") / name))


def shared_dir() -> Path:
    """The read-only reference tree (``../shared`` next to the repo, or $NIANBAO_SHARED)."""
    env = os.environ.get("NIANBAO_SHARED")
    return Path(env) if env else repo_dir().parent / "shared"


def shared_doc_path(doc_id: str, root: Path | None = None) -> Path | None:
    """The file of a shared document id (seed000 → seeds/000_*.txt, r013 → corpus/files/r013.*,
    pa_004 → corpus/pages/pa_004.txt)."""
    root = root or shared_dir()
    if doc_id.startswith("seed"):
        hits = sorted((root / "seeds").glob(f"{doc_id[4:]}_*"))
    elif doc_id[:3] in {"pa_", "pb_", "pc_", "pd_"}:
        hits = sorted((root / "corpus" / "pages").glob(f"{doc_id}.*"))
    else:
        hits = sorted((root / "corpus" / "files").glob(f"{doc_id}.*"))
    return hits[0] if hits else None
