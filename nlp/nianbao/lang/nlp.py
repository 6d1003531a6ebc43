"""The project's spaCy ``zh`` pipeline: our tokenizer, rule entities, and the trained NER when shipped."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from nianbao.lang.entities import RULES_NAME, default_model_dir, register_components
from nianbao.lang.tokenizer import DEFAULT_SEGMENTER, blank, register

if TYPE_CHECKING:
    from spacy.language import Language


def build_pipeline(segmenter: str = DEFAULT_SEGMENTER, ner: bool = True, model_dir: Path | None = None) -> Language:
    """Tokenizer + rules, plus the trained NER when ``ner`` and a saved model exist (no network)."""
    register()
    register_components()
    model_dir = model_dir or default_model_dir()
    if ner and (model_dir / "config.cfg").exists():
        import spacy

        trained = spacy.load(model_dir)
        if RULES_NAME not in trained.pipe_names:
            trained.add_pipe(RULES_NAME, first=True)
        return trained
    nlp = blank(segmenter)
    nlp.add_pipe(RULES_NAME)
    return nlp


@lru_cache(maxsize=4)
def get_nlp(segmenter: str = DEFAULT_SEGMENTER, ner: bool = True) -> Language:
    """The cached entity pipeline, built once per process."""
    return build_pipeline(segmenter=segmenter, ner=ner)
