"""Evaluate the assistant's understanding, per language, against a TF-IDF baseline.

Usage (engine environment; scripts/evaluate wraps it):
    python scripts/evaluate.py                      held-out examples + shared/eval/dev-questions.yml
    python scripts/evaluate.py --data other.yml     any YAML list of {text, lang, expect}
    python scripts/evaluate.py --url http://127.0.0.1:5005 --token T   score a running engine

Metrics per set and language:
    faq_acc     FAQ top-1 accuracy (expected topic == faq/<id> chosen by the response selector)
    intent_acc  accuracy on the other intents (greet ... delete_my_data), out_of_scope excluded
    oos_recall  share of out-of-scope questions rejected (out_of_scope or nlu_fallback)
    false_rej   share of in-scope questions wrongly rejected
The baseline (TF-IDF word + character n-grams, a linear SVM, no folding or concepts) is trained on the same
training examples in the same run. Exit code 0 unless the engine cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import loader  # noqa: E402

REJECT = {"out_of_scope", "nlu_fallback"}
DEFAULT_DEV = ROOT.parent / "shared" / "eval" / "dev-questions.yml"


def load_set(path: Path) -> list[dict]:
    items = loader.read_yaml(path) or []
    if not isinstance(items, list):
        raise SystemExit(f"{path}: expected a YAML list of {{text, lang, expect}}")
    return [{"text": str(i["text"]), "lang": i.get("lang", "nl"), "expect": str(i["expect"])} for i in items]


def heldout_set() -> list[dict]:
    items = []
    for faq in loader.load_faqs().values():
        for lang, texts in faq.test_examples.items():
            items += [{"text": t, "lang": lang, "expect": faq.id} for t in texts]
    for intent in loader.load_intents().values():
        for lang, texts in intent.test_examples.items():
            items += [{"text": t, "lang": lang, "expect": intent.intent} for t in texts]
    return items


def training_examples() -> list[tuple[str, str]]:
    pairs = []
    for faq in loader.load_faqs().values():
        pairs += [(t, faq.id) for texts in faq.examples.values() for t in texts]
    for intent in loader.load_intents().values():
        pairs += [(t, intent.intent) for texts in intent.examples.values() for t in texts]
    return pairs


def label_from_parse(parse: dict) -> str:
    """``faq`` + response selector key -> the topic id; otherwise the intent name."""
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    if intent == "faq":
        key = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}).get(
            "intent_response_key"
        )
        return key.split("/", 1)[1] if key else "faq"
    return intent


# --- predictors ---------------------------------------------------------------------------------


def http_predictor(url: str, token: str) -> Callable[[list[str]], list[str]]:
    def predict(texts: list[str]) -> list[str]:
        labels = []
        for text in texts:
            request = urllib.request.Request(
                f"{url.rstrip('/')}/model/parse?token={token}",
                data=json.dumps({"text": text}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                labels.append(label_from_parse(json.load(response)))
        return labels

    return predict


def local_predictor(model: Path) -> Callable[[list[str]], list[str]]:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    bot_dir = ROOT / "bot"
    os.chdir(bot_dir)  # the spaCy pipeline path in config.yml is relative to bot/
    sys.path.insert(0, str(bot_dir))
    import logging

    import structlog
    from rasa.core.agent import Agent

    # no message texts in the output: Rasa's debug log line carries them
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger().setLevel(logging.WARNING)

    agent = Agent.load(str(model))

    def predict(texts: list[str]) -> list[str]:
        async def run() -> list[str]:
            return [label_from_parse(await agent.parse_message(t)) for t in texts]

        return asyncio.run(run())

    return predict


def baseline_predictor() -> Callable[[list[str]], list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    texts, labels = zip(*training_examples())
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
        ]
    )
    # a plain linear SVM on raw TF-IDF: no folding, no concept lexicon, no fallback threshold
    model = make_pipeline(features, LinearSVC(C=0.5))
    model.fit(list(texts), list(labels))
    return lambda batch: list(model.predict(batch))


# --- metrics ------------------------------------------------------------------------------------


def score(items: list[dict], predicted: list[str], topics: set[str]) -> dict[str, dict[str, float | int]]:
    rows: dict[str, dict[str, list[int]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for item, pred in zip(items, predicted):
        for lang in (item["lang"], "all"):
            bucket = rows[lang]
            expect = item["expect"]
            rejected = pred in REJECT
            if expect == "out_of_scope":
                bucket["oos_recall"].append(int(rejected))
            else:
                bucket["false_rej"].append(int(rejected))
                if expect in topics:
                    bucket["faq_acc"].append(int(pred == expect))
                else:
                    bucket["intent_acc"].append(int(pred == expect))
    result = {}
    for lang, bucket in rows.items():
        result[lang] = {k: (sum(v) / len(v) if v else float("nan")) for k, v in bucket.items()}
        result[lang]["n"] = sum(len(v) for k, v in bucket.items() if k in ("oos_recall", "false_rej"))
    return result


def confusions(items: list[dict], predicted: list[str], top: int) -> list[tuple[str, str, int]]:
    counter = collections.Counter(
        (item["expect"], pred) for item, pred in zip(items, predicted) if item["expect"] != pred
        and not (item["expect"] == "out_of_scope" and pred in REJECT)
    )
    return [(a, b, n) for (a, b), n in counter.most_common(top)]


def per_label(items: list[dict], predicted: list[str]) -> list[tuple[str, int, int]]:
    """(label, correct, total) for every expected label, worst first."""
    totals: collections.Counter = collections.Counter()
    correct: collections.Counter = collections.Counter()
    for item, pred in zip(items, predicted):
        expect = item["expect"]
        totals[expect] += 1
        ok = pred == expect or (expect == "out_of_scope" and pred in REJECT)
        correct[expect] += int(ok)
    return sorted(((k, correct[k], totals[k]) for k in totals), key=lambda r: (r[1] / r[2], r[0]))


def format_table(results: dict[str, dict[str, dict]]) -> str:
    metrics = ["faq_acc", "intent_acc", "oos_recall", "false_rej"]
    header = "| set | lang | system | n | " + " | ".join(metrics) + " |"
    lines = [header, "|" + "---|" * (4 + len(metrics))]
    for set_name, systems in results.items():
        langs = sorted({lang for scores in systems.values() for lang in scores}, key=lambda x: (x == "all", x))
        for lang in langs:
            for system, scores in systems.items():
                s = scores.get(lang)
                if not s:
                    continue
                cells = [f"{s.get(m, float('nan')):.3f}" if m in s else "–" for m in metrics]
                lines.append(f"| {set_name} | {lang} | {system} | {s['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate Wegwijs NLU per language against a baseline.")
    parser.add_argument("--data", action="append", type=Path, help="extra YAML set(s) of {text, lang, expect}")
    parser.add_argument("--no-defaults", action="store_true", help="only the --data sets")
    parser.add_argument("--url", help="score a running engine through POST /model/parse")
    parser.add_argument("--token", default=os.environ.get("WEGWIJS_RASA_TOKEN", ""))
    parser.add_argument("--model", type=Path, default=ROOT / "bot" / "models" / "wegwijs.tar.gz")
    parser.add_argument("--confusions", type=int, default=12, help="how many confused pairs to list")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--per-label", action="store_true", help="list accuracy per expected label, worst first")
    args = parser.parse_args(list(argv) if argv is not None else None)

    sets: dict[str, list[dict]] = {}
    if not args.no_defaults:
        sets["held-out"] = heldout_set()
        if DEFAULT_DEV.exists():
            sets["dev-questions"] = load_set(DEFAULT_DEV)
    for path in args.data or []:
        if not path.exists():
            parser.error(f"{path}: no such file")
        items = load_set(path)
        if not items:
            parser.error(f"{path}: no items (expected a YAML list of {{text, lang, expect}})")
        sets[path.stem] = items
    if not sets:
        parser.error("no evaluation set: give --data or drop --no-defaults")

    topics = set(loader.topic_ids())
    rasa = http_predictor(args.url, args.token) if args.url else local_predictor(args.model.resolve())
    baseline = baseline_predictor()

    results: dict[str, dict[str, dict]] = {}
    all_items, all_predicted = [], []
    for name, items in sets.items():
        texts = [i["text"] for i in items]
        predicted = rasa(texts)
        results[name] = {"wegwijs": score(items, predicted, topics), "baseline": score(items, baseline(texts), topics)}
        all_items += items
        all_predicted += predicted

    print(format_table(results))
    print("\nMost frequent confusions (expected -> predicted, wegwijs, all sets):")
    for expected, predicted, count in confusions(all_items, all_predicted, args.confusions):
        print(f"  {count:3d}  {expected} -> {predicted}")
    if args.per_label:
        print("\nPer expected label (wegwijs, all sets), worst first:")
        for label, ok, total in per_label(all_items, all_predicted):
            print(f"  {ok:3d}/{total:<3d} {label}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
