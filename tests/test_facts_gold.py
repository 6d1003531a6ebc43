"""The narrative-fact gold (training_data/facts) stays consistent with its keys, split and source texts."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

FACTS = Path(__file__).resolve().parents[1] / "training_data" / "facts"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _verify_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("facts_verify", FACTS / "verify.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


def test_gold_is_valid() -> None:
    """Structure, keys, split (and hashes when the shared tree exists) all check out."""
    res = _verify_module().verify()
    assert res.errors == []
    assert len(res.per_doc) >= 18
    assert res.per_split["dev"] > 0 and res.per_split["train"] > res.per_split["dev"] / 2


def test_structural_errors_are_reported(tmp_path: Path) -> None:
    """A broken copy of the gold is rejected without needing the shared tree."""
    shutil.copy(FACTS / "METRICS.md", tmp_path / "METRICS.md")
    rec = json.loads((FACTS / "seed000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    bad = [
        dict(rec, metric="narrative.no_such_key"),
        dict(rec, qualifier="roughly"),
        dict(rec, start=rec["end"]),
        dict(rec, sha1="XYZ"),
    ]
    (tmp_path / "seed000.jsonl").write_text("\n".join(json.dumps(r) for r in bad) + "\n", encoding="utf-8")
    (tmp_path / "split.json").write_text(json.dumps({"train": [], "dev": []}), encoding="utf-8")
    res = _verify_module().verify(here=tmp_path, shared=tmp_path / "absent")
    text = "\n".join(res.errors)
    assert "not in METRICS.md" in text
    assert "qualifier" in text
    assert "bad offsets" in text
    assert "sha1 must be" in text
    assert "not assigned" in text


def test_hash_drift_is_detected(tmp_path: Path) -> None:
    """With the shared tree, a record whose offsets no longer match its hash is an error."""
    if not SHARED.is_dir():
        pytest.skip("shared reference tree absent")
    shutil.copy(FACTS / "METRICS.md", tmp_path / "METRICS.md")
    rec = json.loads((FACTS / "seed000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    moved = dict(rec, start=rec["start"] + 1, end=rec["end"] + 1)
    (tmp_path / "seed000.jsonl").write_text(json.dumps(moved) + "\n", encoding="utf-8")
    (tmp_path / "split.json").write_text(json.dumps({"train": ["seed000"], "dev": []}), encoding="utf-8")
    res = _verify_module().verify(here=tmp_path, shared=SHARED)
    assert res.checked_text
    assert any("sha1 mismatch" in e for e in res.errors)
