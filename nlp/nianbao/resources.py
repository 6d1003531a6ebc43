"""Access to the package's data files (YAML/TSV/TXT under ``nianbao/data``)."""

from __future__ import annotations

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


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a data file."""
    lines = data_path(name).read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
