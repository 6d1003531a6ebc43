"""Self-written paraphrases of every spec §6.1 key and of the error kinds of issue #12, through the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nianbao.io.readers import read_bytes
from nianbao.pipeline import process
from nianbao.resources import load_yaml

FIXTURE = Path(__file__).parent / "fixtures" / "fact_paraphrases.yaml"
ITEMS = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
SPEC = frozenset(load_yaml("facts_model.yaml")["spec_keys"])


def _spec_facts(text: str) -> list[tuple[str, float]]:
    report = process(read_bytes(text.encode("utf-8"), "<paraphrase>", ".txt"), skip=("themes", "merge", "tables"),
                     options={"entities": False})
    return sorted((f.metric, float(f.value)) for f in report.facts if f.metric in SPEC)  # type: ignore[arg-type]


def test_the_fixture_covers_every_spec_key_and_has_40_items() -> None:
    assert len(ITEMS) >= 40
    named = {m for item in ITEMS for m, _ in item["facts"]}
    assert SPEC <= named, sorted(SPEC - named)


@pytest.mark.parametrize("item", ITEMS, ids=[i["kind"] for i in ITEMS])
def test_paraphrase(item: dict) -> None:
    assert _spec_facts(item["text"]) == sorted((m, float(v)) for m, v in item["facts"])
