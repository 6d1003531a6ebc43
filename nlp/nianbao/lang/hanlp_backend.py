"""Optional HanLP backend: dictionary segmentation with HanLP's trie, offline and torch-free.

Installed with ``pip install 'nianbao[hanlp]'`` (the ``hanlp-trie`` and ``hanlp-common``
packages only). HanLP's neural tokenizers need pretrained weights from HanLP's own model
server and the full ``hanlp`` package pulls torch, so neither is used; what works offline
is HanLP's :class:`hanlp_trie.TrieDict`, the structure HanLP itself uses for custom
dictionaries. Segmentation follows HanLP's ``dict_force`` design: OUR domain words are
cut out first with a longest match (so they are never split), and the chunks between
them are segmented against a general word list (cheapest path through HanLP's word
lattice, or HanLP's forward longest match). The general list is jieba's ``dict.txt``
(MIT licence; jieba is already a dependency), read at run time, never copied into the
project. It adds no accuracy over rjieba (``bench/results_hanlp.md``); it is the
plug point for HanLP-style dictionaries and a segmenter free of compiled code.

Nothing here imports HanLP at module import time: :func:`require` does it, and turns a
missing install into one :class:`~nianbao.errors.NianbaoError` line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from nianbao.errors import NianbaoError

INSTALL_HINT = "HanLP backend not installed: pip install 'nianbao[hanlp]'"
# General words rarer than this (jieba's frequency column) are left out of the trie: they
# are mostly rare compounds, and each word costs trie memory in Python (all words: 190 MB).
DEFAULT_MIN_FREQ = 5
MODES = ("path", "longest")
# A run of these characters outside dictionary words stays one token (numbers, Latin
# words, decimals, percentages), as jieba and rjieba do; any other unmatched char is a token.
_RUN = re.compile(r"[0-9A-Za-z]+(?:[.%][0-9A-Za-z]+)*%?|\s+|.", re.S)


def require() -> Any:
    """The ``hanlp_trie`` module, or a one-line :class:`NianbaoError` when it is missing."""
    try:
        import hanlp_trie
    except ImportError:
        raise NianbaoError("hanlp", INSTALL_HINT) from None
    return hanlp_trie


def available() -> bool:
    try:
        require()
    except NianbaoError:
        return False
    return True


def general_dict_path() -> Path | None:
    """jieba's general dictionary file, located without importing jieba (slow import)."""
    from importlib.util import find_spec

    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    return path if path.exists() else None


def read_general_words(path: Path, min_freq: int = DEFAULT_MIN_FREQ) -> dict[str, int]:
    """Multi-character words with frequency >= ``min_freq`` from a jieba-format dictionary."""
    words: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2 or len(parts[0]) < 2 or not parts[1].isdigit():
            continue
        if int(parts[1]) >= min_freq:
            words[parts[0]] = int(parts[1])
    return words


@lru_cache(maxsize=2)
def general_trie(min_freq: int = DEFAULT_MIN_FREQ) -> tuple[Any, float]:
    """The shared, read-only general-word trie (word -> cost = -log P(word)) and the cost of
    one character outside it; built once per process (~1.5 s, ~65 MB)."""
    hanlp_trie = require()
    path = general_dict_path()
    freqs = read_general_words(path, min_freq) if path else {}
    log_total = math.log(sum(freqs.values()) or 1)
    trie = hanlp_trie.TrieDict({w: log_total - math.log(f) for w, f in freqs.items()})
    return trie, log_total  # an unknown character costs as much as a word seen once


def _run_end(text: str, i: int) -> int:
    m = _RUN.match(text, i)
    return m.end() if m else i + 1


class HanlpSegmenter:
    """HanLP trie segmentation: forced domain words, then general words.

    ``mode="path"`` (default) takes the cheapest path through the word lattice that
    HanLP's ``Trie.parse`` returns (unigram costs from the word frequencies: HanLP's
    classic shortest-path segmentation without its neural or HMM layers);
    ``mode="longest"`` is HanLP's forward longest match (``TrieDict.tokenize``): about
    twice as fast and less accurate (``bench/results_hanlp.md``). Each instance has its
    own domain trie (adding a word never changes another pipeline); the general trie is
    shared because it is large and never modified.
    """

    def __init__(self, mode: str = "path", min_freq: int = DEFAULT_MIN_FREQ, general: bool = True) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown HanLP segmentation mode {mode!r}; choose one of {', '.join(MODES)}")
        hanlp_trie = require()
        self.mode = mode
        self.user = hanlp_trie.TrieDict()
        if general:
            self.general, self.unk_cost = general_trie(min_freq)
        else:
            self.general, self.unk_cost = hanlp_trie.TrieDict(), 1.0

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        if word:
            self.user[word] = tag or True

    def _longest(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        chunk = text[start:end]
        pos = 0
        for b, e, _v in self.general.tokenize(chunk):
            while pos < b:
                stop = min(_run_end(chunk, pos), b)
                yield start + pos, start + stop
                pos = stop
            yield start + b, start + e
            pos = e
        while pos < len(chunk):
            stop = _run_end(chunk, pos)
            yield start + pos, start + stop
            pos = stop

    def _path(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        chunk = text[start:end]
        n = len(chunk)
        edges: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for b, e, cost in self.general.parse(chunk):
            edges[b].append((e, cost))
        best = [math.inf] * (n + 1)
        back = [0] * (n + 1)
        best[0] = 0.0
        unk = self.unk_cost
        for i in range(n):
            here = best[i]
            if here == math.inf:
                continue
            stop = _run_end(chunk, i)  # a number / Latin word / blank run, or one character
            if here + unk < best[stop]:
                best[stop], back[stop] = here + unk, i
            for e, cost in edges[i]:
                if here + cost < best[e]:
                    best[e], back[e] = here + cost, i
        cuts = []
        e = n
        while e > 0:
            cuts.append((start + back[e], start + e))
            e = back[e]
        yield from reversed(cuts)

    def spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) covering ``text`` exactly, in order."""
        general = self._path if self.mode == "path" else self._longest
        pos = 0
        for b, e, _v in self.user.tokenize(text) if self.user else ():
            if b > pos:
                for s, t in general(text, pos, b):
                    yield text[s:t], s, t
            yield text[b:e], b, e
            pos = e
        if pos < len(text):
            for s, t in general(text, pos, len(text)):
                yield text[s:t], s, t

    def cut(self, text: str) -> list[str]:
        return [w for w, _s, _e in self.spans(text)]
