"""What every training and evaluation module shares: publisher groups and precision/recall/F1."""

from __future__ import annotations

from functools import lru_cache

from nianbao.resources import repo_dir


@lru_cache(maxsize=1)
def publisher_groups() -> dict[str, str]:
    """Document id → publisher group (``training_data/groups.tsv``: the issuing body's locality, so a series such
    as Pingtan is one group); grouped cross-validation never puts one group in train and test at once."""
    path = repo_dir() / "training_data" / "groups.tsv"
    if not path.is_file():
        return {}
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if "\t" in line]
    return {r[0]: r[1].strip() for r in rows if r[0]}


def publisher(doc_id: str) -> str:
    """Publisher group of a document; an unlisted document is a group of its own."""
    return publisher_groups().get(doc_id, doc_id)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 (rounded to 4 places) with the counts they come from (``gold`` = tp + fn)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": tp + fp, "gold": tp + fn}
