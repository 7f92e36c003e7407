"""Tell the languages Wegwijs speaks apart in short chat messages (knowledge/languages.yml).

A multinomial naive Bayes model over character n-grams (with word-boundary padding) and
words, trained on the knowledge base's own examples, which carry their language. The engine
trains it inside the NLU pipeline (bot/addons/language_detector.py); :func:`from_knowledge`
builds it from knowledge/ directly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from knowledge.languages import arabic_share

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


MIN_WORDS = 3  # "12 mei 2024", "ja", "hallo", "sim" say too little to switch the language
MIN_LETTERS = 12


def enough_evidence(text: str) -> bool:
    """Whether a message in Latin script has enough words to tell its language.

    Five languages share many short words ("ja", "sim", "no", "hallo") and month names, and a
    one-word answer to a question never means the person changed language; three words or
    twelve letters in two different words, mostly in Latin script, do."""
    found = [w for w in _WORD.findall(text) if len(w) > 1]
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if not letters or latin / len(letters) < 0.8 or len({w.lower() for w in found}) < 2:
        return False  # mixed scripts, one (repeated) word: no language to switch to
    return len(found) >= MIN_WORDS or sum(len(w) for w in found) >= MIN_LETTERS


def features(text: str) -> Counter:
    words = _WORD.findall(text.lower())
    grams: Counter = Counter()
    for word in words:
        grams[f"w:{word}"] += 1
        padded = f" {word} "
        for n in (1, 2, 3, 4):
            for i in range(len(padded) - n + 1):
                grams[padded[i : i + n]] += 1
    return grams


@dataclass
class LanguageModel:
    counts: dict[str, Counter] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    docs: dict[str, int] = field(default_factory=dict)
    vocabulary: set = field(default_factory=set)

    def fit(self, examples: Iterable[tuple[str, str]]) -> "LanguageModel":
        for text, lang in examples:
            feats = features(text)
            self.counts.setdefault(lang, Counter()).update(feats)
            self.docs[lang] = self.docs.get(lang, 0) + 1
            self.vocabulary.update(feats)
        self.totals = {lang: sum(c.values()) for lang, c in self.counts.items()}
        return self

    def probabilities(self, text: str) -> dict[str, float]:
        feats = features(text)
        if not feats or not self.counts:
            return {}
        size = len(self.vocabulary) + 1
        n_docs = sum(self.docs.values())
        scores = {}
        for lang, counts in self.counts.items():
            score = math.log(self.docs[lang] / n_docs)
            denominator = self.totals[lang] + size
            for feat, k in feats.items():
                score += k * math.log((counts.get(feat, 0) + 1) / denominator)
            scores[lang] = score
        best = max(scores.values())
        exp = {lang: math.exp(s - best) for lang, s in scores.items()}
        norm = sum(exp.values())
        return {lang: v / norm for lang, v in exp.items()}

    def detect(self, text: str, threshold: float = 0.8) -> tuple[str | None, float]:
        """The most likely language and its probability; None below the threshold.

        A message written mostly in Arabic script is Arabic whatever its Latin loanwords
        (PIP, DUO, KNM); the script decides before the n-gram model does."""
        if "ar" in self.counts and arabic_share(text) >= 0.5:
            return "ar", 1.0
        if not enough_evidence(text):
            return None, 0.0
        probs = self.probabilities(text)
        if not probs:
            return None, 0.0
        lang, p = max(probs.items(), key=lambda item: item[1])
        return (lang if p >= threshold else None), p

    def to_dict(self) -> dict:
        return {"counts": {k: dict(v) for k, v in self.counts.items()}, "docs": self.docs}

    @classmethod
    def from_dict(cls, data: dict) -> "LanguageModel":
        model = cls(counts={k: Counter(v) for k, v in data["counts"].items()}, docs=dict(data["docs"]))
        model.totals = {lang: sum(c.values()) for lang, c in model.counts.items()}
        model.vocabulary = set().union(*[set(c) for c in model.counts.values()]) if model.counts else set()
        return model


def knowledge_examples() -> list[tuple[str, str]]:
    from knowledge import loader

    pairs = []
    items = list(loader.load_faqs().values()) + list(loader.load_intents().values())
    for item in items:
        for lang in loader.LANGUAGES:
            pairs += [(text, lang) for text in item.examples.get(lang, [])]
    return pairs


def from_knowledge() -> LanguageModel:
    return LanguageModel().fit(knowledge_examples())
