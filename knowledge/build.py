"""Write the Rasa training data and responses that are derived from knowledge/.

Usage:
    python -m knowledge.build            write the generated files
    python -m knowledge.build --check    exit 1 when a generated file is missing or stale

Every generated file starts with a "GENERATED" header and is never edited by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable

import jinja2
import yaml

from knowledge import loader

HEADER = (
    "# GENERATED from knowledge/ by `python -m knowledge.build` — do not edit.\n"
    "# Change the files in knowledge/ and run the build again.\n"
)
BOT_DIR = loader.REPO_ROOT / "bot"
OUT_FAQ_NLU = BOT_DIR / "data" / "nlu" / "faq.generated.yml"
OUT_INTENT_NLU = BOT_DIR / "data" / "nlu" / "intents.generated.yml"
OUT_FAQ_DOMAIN = BOT_DIR / "domain" / "faq.generated.yml"
OUT_TEST_NLU = loader.REPO_ROOT / "tests" / "nlu" / "test_nlu.generated.yml"
OUT_DIALOGUE_DOMAIN = BOT_DIR / "domain" / "responses.generated.yml"

RASA_VERSION = "3.1"
SOURCE_LABEL = {"nl": "Bron", "en": "Source"}
DEADLINE_BUTTON = {"nl": "Bereken mijn data", "en": "Calculate my dates"}
HUMAN_BUTTON = {"nl": "Praat met een mens", "en": "Talk to a person"}


class _Dumper(yaml.SafeDumper):
    """Readable YAML: block style for multi-line strings, keys in insertion order, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(data: Any) -> str:
    return HEADER + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)


def choose_topic_payload(topic: str) -> str:
    return "/choose_topic" + json.dumps({"faq_topic": topic})


def render(text: str, context: dict) -> str:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
    return env.from_string(text).render(context).strip()


def answer_text(faq: loader.Faq, lang: str, municipality: loader.Municipality) -> str:
    override = municipality.overrides.get(faq.id, {})
    answer = override.get("answer", {}).get(lang, faq.answer[lang])
    more = override.get("more", {}).get(lang, faq.more[lang])
    context = municipality.template_context()
    source = faq.sources[0]["url"]
    return f"{render(answer, context)}\n\n{render(more, context)}\n{SOURCE_LABEL[lang]}: {source}"


def buttons(faq: loader.Faq, faqs: dict[str, loader.Faq], lang: str) -> list[dict[str, str]]:
    result = [
        {"title": faqs[topic].title[lang], "payload": choose_topic_payload(topic)}
        for topic in faq.related
        if topic in faqs
    ]
    if faq.offer_deadlines:
        result.append({"title": DEADLINE_BUTTON[lang], "payload": "/ask_deadlines"})
    if faq.escalate:
        result.append({"title": HUMAN_BUTTON[lang], "payload": "/ask_human"})
    return result


EN_CONDITION = [{"type": "slot", "name": "language", "value": "en"}]
_SLOT_REF = re.compile(r"\[([a-z_]+)\]")


def dialogue_buttons(spec: list[dict], faqs: dict[str, loader.Faq], lang: str) -> list[dict[str, str]]:
    result = []
    for button in spec:
        if "topic" in button:
            topic = button["topic"]
            result.append({"title": faqs[topic].title[lang], "payload": choose_topic_payload(topic)})
        else:
            result.append({"title": button["title"][lang], "payload": button["payload"]})
    return result


def dialogue_domain(faqs: dict[str, loader.Faq], municipality: loader.Municipality) -> dict:
    """The assistant's own texts from knowledge/dialogue/responses.yaml, nl default + en."""
    context = municipality.template_context()
    responses = {}
    for name, spec in loader.load_dialogue().items():
        variations = []
        for lang in ("en", "nl"):
            variation: dict[str, Any] = {"condition": EN_CONDITION} if lang == "en" else {}
            variation["text"] = _SLOT_REF.sub(r"{\1}", render(spec[lang], context))
            if spec.get("buttons"):
                variation["buttons"] = dialogue_buttons(spec["buttons"], faqs, lang)
            variations.append(variation)
        responses[name] = variations
    return {"version": RASA_VERSION, "responses": responses}


def faq_domain(faqs: dict[str, loader.Faq], municipality: loader.Municipality) -> dict:
    responses = {}
    for faq in faqs.values():
        responses[f"utter_faq/{faq.id}"] = [
            {
                "condition": EN_CONDITION,
                "text": answer_text(faq, "en", municipality),
                "buttons": buttons(faq, faqs, "en"),
            },
            {"text": answer_text(faq, "nl", municipality), "buttons": buttons(faq, faqs, "nl")},
        ]
    return {"version": RASA_VERSION, "intents": ["faq"], "responses": responses}


def _nlu_blocks(label: str, examples: dict[str, list[str]]) -> Iterable[dict]:
    for lang in loader.LANGUAGES:
        texts = examples.get(lang, [])
        if texts:
            yield {
                "intent": label,
                "metadata": {"lang": lang},
                "examples": "".join(f"- {t.strip()}\n" for t in texts),
            }


def faq_nlu(faqs: dict[str, loader.Faq]) -> dict:
    nlu = [b for faq in faqs.values() for b in _nlu_blocks(f"faq/{faq.id}", faq.examples)]
    return {"version": RASA_VERSION, "nlu": nlu}


def intent_nlu(intents: dict[str, loader.IntentExamples]) -> dict:
    nlu = [b for item in intents.values() for b in _nlu_blocks(item.intent, item.examples)]
    return {"version": RASA_VERSION, "nlu": nlu}


def test_nlu(faqs: dict[str, loader.Faq], intents: dict[str, loader.IntentExamples]) -> dict:
    nlu = [b for faq in faqs.values() for b in _nlu_blocks(f"faq/{faq.id}", faq.test_examples)]
    nlu += [b for item in intents.values() for b in _nlu_blocks(item.intent, item.test_examples)]
    return {"version": RASA_VERSION, "nlu": nlu}


def outputs(municipality_name: str | None = None) -> dict[Path, str]:
    faqs = loader.load_faqs()
    intents = loader.load_intents()
    municipality = loader.load_municipality(municipality_name)
    return {
        OUT_FAQ_NLU: dump(faq_nlu(faqs)),
        OUT_INTENT_NLU: dump(intent_nlu(intents)),
        OUT_FAQ_DOMAIN: dump(faq_domain(faqs, municipality)),
        OUT_TEST_NLU: dump(test_nlu(faqs, intents)),
        OUT_DIALOGUE_DOMAIN: dump(dialogue_domain(faqs, municipality)),
    }


def stale_files(municipality_name: str | None = None) -> list[Path]:
    return [
        path
        for path, text in outputs(municipality_name).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when generated files are stale")
    parser.add_argument("--municipality", help="municipality file stem (default: WEGWIJS_MUNICIPALITY)")
    args = parser.parse_args(argv)

    if args.check:
        stale = stale_files(args.municipality)
        for path in stale:
            print(f"STALE {path.relative_to(loader.REPO_ROOT)}: run `python -m knowledge.build`")
        print("generated files are up to date" if not stale else f"{len(stale)} generated file(s) out of date")
        return 1 if stale else 0

    for path, text in outputs(args.municipality).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(loader.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
