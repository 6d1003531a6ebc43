"""A spaCy ``zh`` pipeline whose tokenizer segments with OUR domain dictionary.

Modelled on ``spacy/lang/zh/__init__.py``: the tokenizer is registered under
``nianbao.zh_tokenizer.v1`` so the segmenter is a config setting, and it
serialises its user dictionary itself (spaCy's own Chinese tokenizer does not
save jieba's user dict, so a saved pipeline would segment differently after
loading). Segmenters: ``rjieba`` (Rust port of jieba, the default: fastest in
``bench/bench_tokenizer.py`` and honours the dictionary), ``jieba``, ``char`` and
``hanlp`` (optional extra, HanLP's dictionary trie: :mod:`nianbao.lang.hanlp_backend`).

spaCy is imported only inside functions so ``import nianbao`` stays light;
:func:`nianbao.lang.nlp.get_nlp` builds the whole pipeline once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nianbao.resources import data_path

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

SEGMENTERS = ("rjieba", "jieba", "char", "hanlp")
DEFAULT_SEGMENTER = "rjieba"
TOKENIZER_NAME = "nianbao.zh_tokenizer.v1"
DictEntry = tuple[str, int | None, str | None]


def read_user_dict(path: str | Path) -> list[DictEntry]:
    """Parse a jieba user dictionary (``word [freq] [tag]`` per line, ``#`` comments allowed)."""
    entries: list[DictEntry] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        for part in parts[1:]:
            if part.isdigit() and freq is None:
                freq = int(part)
            elif tag is None:
                tag = part
        entries.append((word, freq, tag))
    return entries


def default_user_dict() -> list[DictEntry]:
    return read_user_dict(data_path("dict.txt"))


def _format_user_dict(entries: Iterable[DictEntry]) -> str:
    lines = []
    for word, freq, tag in entries:
        lines.append(" ".join(str(x) for x in (word, freq, tag) if x is not None))
    return "\n".join(lines) + "\n"


class Segmenter:
    """One segmenter instance with its own dictionary (never jieba's global state)."""

    def __init__(self, name: str = DEFAULT_SEGMENTER, hmm: bool = True) -> None:
        if name not in SEGMENTERS:
            raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(SEGMENTERS)}")
        self.name = name
        self.hmm = hmm
        self._impl: Any = None
        if name == "rjieba":
            import rjieba

            self._impl = rjieba.Jieba()
        elif name == "jieba":
            import jieba

            self._impl = jieba.Tokenizer()
            self._impl.initialize()
        elif name == "hanlp":  # optional extra, imported only when chosen
            from nianbao.lang.hanlp_backend import HanlpSegmenter

            self._impl = HanlpSegmenter()

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        if self._impl is not None:
            self._impl.add_word(word, freq, tag)

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) covering ``text`` exactly, in order."""
        if self.name == "rjieba":
            yield from self._impl.tokenize(text, "default", self.hmm)
        elif self.name == "jieba":
            pos = 0
            for w in self._impl.cut(text, HMM=self.hmm):
                if w:
                    yield w, pos, pos + len(w)
                    pos += len(w)
        elif self.name == "hanlp":
            yield from self._impl.spans(text)
        else:
            for i, ch in enumerate(text):
                yield ch, i, i + 1

    def cut(self, text: str) -> list[str]:
        if self.name == "rjieba":
            return self._impl.cut(text, self.hmm)  # type: ignore[no-any-return]
        return [w for w, _s, _e in self.spans(text)]


def _words_and_spaces(pieces: Iterable[str]) -> tuple[list[str], list[bool]]:
    """spaCy's convention: one plain space after a token is its trailing ``whitespace_``."""
    words: list[str] = []
    spaces: list[bool] = []
    for w in pieces:
        if w == " " and words and not spaces[-1] and not words[-1].isspace():
            spaces[-1] = True
            continue
        if words and w.isspace() and words[-1].isspace() and not spaces[-1]:
            words[-1] += w  # jieba emits runs of whitespace char by char: keep one token
            continue
        words.append(w)
        spaces.append(False)
    return words, spaces


class NianbaoTokenizer:
    """spaCy tokenizer (callable ``text -> Doc``) over a :class:`Segmenter` plus a user dictionary."""

    def __init__(self, vocab: Vocab, segmenter: str = DEFAULT_SEGMENTER, user_dict: str | None = "default",
                 hmm: bool = True) -> None:
        self.vocab = vocab
        self.segmenter_name = segmenter
        self.hmm = hmm
        self.user_dict_source = user_dict
        self.user_words: list[DictEntry] = []
        self.seg = Segmenter(segmenter, hmm=hmm)
        if user_dict == "default":
            self.add_words(default_user_dict())
        elif user_dict:
            self.add_words(read_user_dict(user_dict))

    def add_words(self, entries: Iterable[DictEntry | str]) -> None:
        """Add words to the dictionary (kept for serialisation)."""
        for entry in entries:
            word, freq, tag = (entry, None, None) if isinstance(entry, str) else entry
            self.seg.add_word(word, freq, tag)
            self.user_words.append((word, freq, tag))

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc

        words, spaces = _words_and_spaces(self.seg.cut(text))
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data["nianbao_text"] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # -- serialisation (config + user dictionary) --------------------------------------------
    def _cfg(self) -> dict[str, Any]:
        return {"segmenter": self.segmenter_name, "hmm": self.hmm}

    def _load(self, cfg: dict[str, Any], words: list[DictEntry]) -> None:
        self.segmenter_name = cfg.get("segmenter", DEFAULT_SEGMENTER)
        self.hmm = bool(cfg.get("hmm", True))
        self.seg = Segmenter(self.segmenter_name, hmm=self.hmm)
        self.user_words = []
        self.add_words([(w, f, t) for w, f, t in words])

    def to_bytes(self, **kwargs: Any) -> bytes:
        import srsly

        return srsly.msgpack_dumps({"cfg": self._cfg(), "user_dict": [list(e) for e in self.user_words]})

    def from_bytes(self, data: bytes, **kwargs: Any) -> NianbaoTokenizer:
        import srsly

        msg = srsly.msgpack_loads(data)
        self._load(msg["cfg"], [tuple(e) for e in msg["user_dict"]])  # type: ignore[misc]
        return self

    def to_disk(self, path: str | Path, **kwargs: Any) -> None:
        import srsly

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self._cfg())
        (path / "user_dict.txt").write_text(_format_user_dict(self.user_words), encoding="utf-8")

    def from_disk(self, path: str | Path, **kwargs: Any) -> NianbaoTokenizer:
        import srsly

        path = Path(path)
        cfg = srsly.read_json(path / "cfg")
        words = read_user_dict(path / "user_dict.txt") if (path / "user_dict.txt").exists() else []
        self._load(cfg, words)
        return self


@lru_cache(maxsize=1)
def register() -> None:
    """Register the tokenizer with spaCy's registry (idempotent), so configs can name it."""
    from spacy.util import registry

    @registry.tokenizers(TOKENIZER_NAME)
    def create_tokenizer(segmenter: str = DEFAULT_SEGMENTER, user_dict: str | None = "default",
                         hmm: bool = True) -> Callable[[Language], NianbaoTokenizer]:
        def factory(nlp: Language) -> NianbaoTokenizer:
            return NianbaoTokenizer(nlp.vocab, segmenter=segmenter, user_dict=user_dict, hmm=hmm)

        return factory


def blank(segmenter: str = DEFAULT_SEGMENTER, user_dict: str | None = "default", hmm: bool = True) -> Language:
    """A blank ``zh`` pipeline (no downloaded model) with our tokenizer."""
    import spacy

    register()
    config = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME, "segmenter": segmenter,
                                    "user_dict": user_dict, "hmm": hmm}}}
    return spacy.blank("zh", config=config)


def tokenize(text: str, segmenter: str = DEFAULT_SEGMENTER) -> list[str]:
    """Words of ``text`` as segmented by the pipeline's tokenizer."""
    return [t.text for t in _blank_cached(segmenter).tokenizer(text)]


@lru_cache(maxsize=4)
def _blank_cached(segmenter: str) -> Language:
    return blank(segmenter)
