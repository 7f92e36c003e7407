"""Review finding 5: precision and recall of the redaction rules over a labelled corpus
(tests/redaction/redaction_corpus.yml, 100+ cases). Recall comes first: BSN and IBAN at least 0.95."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redaction.text import ALL_KINDS, BSN, EMAIL, IBAN, PHONE, find_pii

CORPUS = yaml.safe_load((Path(__file__).with_name("redaction_corpus.yml")).read_text(encoding="utf-8"))["cases"]
RECALL_FLOOR = {BSN: 0.95, IBAN: 0.95, PHONE: 0.9, EMAIL: 0.9}
PRECISION_FLOOR = {BSN: 0.95, IBAN: 0.95, PHONE: 0.9, EMAIL: 0.9}


def measure() -> dict[str, dict[str, float]]:
    counts = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in ALL_KINDS}
    for case in CORPUS:
        text = case["text"]
        expected = {(p["kind"], p["value"]) for p in case["pii"]}
        found = {(f.kind, text[f.start : f.end]) for f in find_pii(text)}
        for kind in ALL_KINDS:
            want = {v for k, v in expected if k == kind}
            got = {v for k, v in found if k == kind}
            counts[kind]["tp"] += len(want & got)
            counts[kind]["fn"] += len(want - got)
            counts[kind]["fp"] += len(got - want)
    result = {}
    for kind, c in counts.items():
        result[kind] = {
            "precision": c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0,
            "recall": c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0,
            **c,
        }
    return result


def test_the_corpus_is_large_enough_and_labelled() -> None:
    assert len(CORPUS) >= 100
    assert sum(1 for c in CORPUS if any(p["kind"] == BSN for p in c["pii"])) >= 30
    assert sum(1 for c in CORPUS if any(p["kind"] == IBAN for p in c["pii"])) >= 30
    assert sum(1 for c in CORPUS if not c["pii"]) >= 25
    for case in CORPUS:
        for pii in case["pii"]:
            assert pii["value"] in case["text"]


def test_precision_and_recall_floors(capsys: pytest.CaptureFixture[str]) -> None:
    result = measure()
    with capsys.disabled():
        print()
        for kind in sorted(result):
            r = result[kind]
            print(f"redaction {kind:5}: precision {r['precision']:.3f} recall {r['recall']:.3f} "
                  f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']}; {len(CORPUS)} cases)")
    for kind in ALL_KINDS:
        assert result[kind]["recall"] >= RECALL_FLOOR[kind], (kind, result[kind])
        assert result[kind]["precision"] >= PRECISION_FLOOR[kind], (kind, result[kind])


@pytest.mark.parametrize("text", [
    "bsn111222333", "BSN 111-222-333", "NL91-ABNA-0417-1643-00", "NL 91 ABNA 0417 1643 00", "NL91ABNA 0417164300",
])
def test_the_reviewers_examples_are_masked(text: str) -> None:
    assert find_pii(text, {BSN, IBAN}), text


def test_an_order_number_that_passes_the_11_proef_stays() -> None:
    assert find_pii("Mijn ordernummer is 111222333", {BSN}) == []
    assert find_pii("Mijn bsn, niet mijn ordernummer: 111222333", {BSN})  # a BSN word near: masked
