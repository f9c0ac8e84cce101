"""Forced-aligner word times for timing checks: the MFA recordings' Praat TextGrids, and
recognised words paired with them by text. Shared by the timing test and
``bench/bench_word_timing.py``."""

from __future__ import annotations

import difflib
from pathlib import Path

from editor.transcribe.wer import normalise

Timed = tuple[str, float, float]


def textgrid_words(path: Path, tier: str = "words") -> list[Timed]:
    """The non-empty intervals of one tier of a short-format Praat TextGrid."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if lines[:2] != ['File type = "ooTextFile"', 'Object class = "TextGrid"']:
        raise ValueError(f"{path}: not a short-format TextGrid")
    i = lines.index("<exists>") + 2
    while i < len(lines):
        kind, name, count = lines[i], lines[i + 1].strip('"'), int(lines[i + 4])
        i += 5
        if kind != '"IntervalTier"':
            raise ValueError(f"{path}: unsupported tier kind {kind}")
        triples = [lines[i + 3 * k : i + 3 * k + 3] for k in range(count)]
        i += 3 * count
        if name == tier:
            return [(t.strip('"'), float(a), float(b)) for a, b, t in triples if t.strip('"')]
    raise ValueError(f"{path}: no tier named {tier!r}")


def pairs(hyp: list[Timed], ref: list[Timed]) -> list[tuple[Timed, Timed]]:
    """(hypothesis, reference) word pairs whose normalised texts align one to one."""

    def keyed(words: list[Timed]) -> tuple[list[str], list[Timed]]:
        keys, owners = [], []
        for w in words:
            tokens = normalise(w[0])
            if len(tokens) == 1:  # a word that normalises to several tokens can't be timed alone
                keys.append(tokens[0])
                owners.append(w)
        return keys, owners

    hk, hw = keyed(hyp)
    rk, rw = keyed(ref)
    matcher = difflib.SequenceMatcher(None, hk, rk, autojunk=False)
    out = []
    for block in matcher.get_matching_blocks():
        out += [(hw[block.a + n], rw[block.b + n]) for n in range(block.size)]
    return out
