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

from knowledge import languages, loader, municipal, texts, translations

HEADER = (
    "# GENERATED from knowledge/ by `python -m knowledge.build` — do not edit.\n"
    "# Change the files in knowledge/ and run the build again.\n"
)
BOT_DIR = loader.REPO_ROOT / "bot"
OUT_FAQ_NLU = BOT_DIR / "data" / "nlu" / "faq.generated.yml"
OUT_INTENT_NLU = BOT_DIR / "data" / "nlu" / "intents.generated.yml"
OUT_FAQ_DOMAIN = BOT_DIR / "domain" / "faq.generated.yml"
OUT_DIALOGUE_DOMAIN = BOT_DIR / "domain" / "responses.generated.yml"
OUT_LANGUAGE_DOMAIN = BOT_DIR / "domain" / "languages.generated.yml"
OUT_LANGUAGE_NLU = BOT_DIR / "data" / "nlu" / "languages.generated.yml"
OUT_MUNICIPALITY_DOMAIN = BOT_DIR / "domain" / "municipality.generated.yml"

RASA_VERSION = "3.1"


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


def answer_text(faq: loader.Faq, lang: str, municipality: loader.Municipality | None = None) -> str:
    """The answer as sent: text, "more" line and source; an unchecked translation says so.

    Municipal details stay markers (``[[gemeente.naam]]``), filled in when the answer is sent
    (knowledge/municipal.py). With a `municipality`, its own answer or "more" line in `lang`
    (``overrides``) replaces the national one; without, the national answer (the default)."""
    override = municipality.overrides.get(faq.id, {}) if municipality else {}
    answer = (override.get("answer") or {}).get(lang) or faq.text("answer", lang)
    more = (override.get("more") or {}).get(lang) or faq.text("more", lang)
    context = municipal.marker_context()
    source = faq.sources[0]["url"]
    text = f"{render(answer, context)}\n\n{render(more, context)}\n{texts.text('answers.source_label', lang)}: {source}"
    if needs_check_note(faq, lang):
        text += "\n\n" + texts.text("answers.unchecked_note", lang)
    return text


def needs_check_note(faq: loader.Faq, lang: str) -> bool:
    """A translated answer that no reviewer signed off (or whose Dutch changed since) says so."""
    return lang != languages.SOURCE and lang in faq.answer and not translations.faq_checked(lang, faq.id)


def show_dutch_payload(topic: str) -> str:
    return "/show_dutch" + json.dumps({"faq_topic": topic})


def buttons(faq: loader.Faq, faqs: dict[str, loader.Faq], lang: str) -> list[dict[str, str]]:
    result = [
        {"title": faqs[topic].text("title", lang), "payload": choose_topic_payload(topic)}
        for topic in faq.related
        if topic in faqs
    ]
    if faq.offer_deadlines:
        result.append({"title": texts.text("answers.deadline_button", lang), "payload": "/ask_deadlines"})
    if faq.escalate:
        result.append({"title": texts.text("answers.human_button", lang), "payload": "/ask_human"})
    if needs_check_note(faq, lang):
        result.append({"title": texts.text("answers.show_dutch_button", lang), "payload": show_dutch_payload(faq.id)})
    return result


def language_condition(lang: str) -> list[dict[str, str]]:
    return [{"type": "slot", "name": "language", "value": lang}]


_SLOT_REF = re.compile(r"\[([a-z_]+)\]")


def dialogue_buttons(spec: list[dict], faqs: dict[str, loader.Faq], lang: str) -> list[dict[str, str]]:
    result = []
    for button in spec:
        if "topic" in button:
            topic = button["topic"]
            result.append({"title": faqs[topic].text("title", lang), "payload": choose_topic_payload(topic)})
        else:
            title = button["title"].get(lang) or button["title"][languages.SOURCE]
            result.append({"title": title, "payload": button["payload"]})
    return result


def _variations(make, langs: Iterable[str]) -> list[dict[str, Any]]:
    """One response variation per translated language (conditioned on the `language` slot),
    the Dutch source last as the default."""
    out = []
    for lang in [code for code in langs if code != languages.SOURCE] + [languages.SOURCE]:
        variation: dict[str, Any] = {} if lang == languages.SOURCE else {"condition": language_condition(lang)}
        variation.update(make(lang))
        out.append(variation)
    return out


def dialogue_domain(faqs: dict[str, loader.Faq]) -> dict:
    """The assistant's own texts from knowledge/dialogue/responses.yaml, in every language it has
    (municipal details as markers, filled in when sent)."""
    context = municipal.marker_context()
    responses = {}
    for name, spec in loader.load_dialogue().items():
        def make(lang: str, spec: dict = spec) -> dict[str, Any]:
            variation: dict[str, Any] = {"text": _SLOT_REF.sub(r"{\1}", render(spec[lang], context))}
            if spec.get("buttons"):
                variation["buttons"] = dialogue_buttons(spec["buttons"], faqs, lang)
            return variation

        responses[name] = _variations(make, [code for code in loader.LANGUAGES if code in spec])
    return {"version": RASA_VERSION, "responses": responses}


def faq_domain(faqs: dict[str, loader.Faq]) -> dict:
    """The national answers (a municipality's overrides replace them when sent)."""
    responses = {}
    for faq in faqs.values():
        def make(lang: str, faq: loader.Faq = faq) -> dict[str, Any]:
            return {"text": answer_text(faq, lang), "buttons": buttons(faq, faqs, lang)}

        responses[f"utter_faq/{faq.id}"] = _variations(make, faq.languages())
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


def language_domain() -> dict:
    """The `language` slot, with every language in knowledge/languages.yml as a value."""
    return {
        "version": RASA_VERSION,
        "slots": {
            "language": {
                "type": "categorical",
                "values": list(languages.CODES),
                "initial_value": languages.SOURCE,
                "influence_conversation": False,
                "mappings": [{"type": "from_entity", "entity": "language"}],
            }
        },
    }


def municipality_domain() -> dict:
    """The `municipality` slot: the conversation's municipality (an id in knowledge/municipalities/),
    set from the message's ``metadata.municipality`` (bot/addons/municipality.py). A text slot,
    so adding a municipality needs no new model; it never steers the dialogue."""
    return {
        "version": RASA_VERSION,
        "entities": [{"municipality": {"influence_conversation": False}}],
        "slots": {
            "municipality": {
                "type": "text",
                "influence_conversation": False,
                "mappings": [{"type": "from_entity", "entity": "municipality"}],
            }
        },
    }


def language_nlu() -> dict:
    """switch_language examples in every language, for every language, plus synonyms and lookup."""
    words: dict[str, list[str]] = {}
    for code in languages.CODES:
        info = languages.info(code)
        seen: list[str] = []
        for word in [info["name"], *info.get("switch_words", [])]:
            if word.lower() not in [w.lower() for w in seen] and " " not in word:
                seen.append(word)
        words[code] = seen
    lines: list[str] = []
    for asked in languages.CODES:
        lines += [f"[{word}](language_choice)" for word in words[asked]]
    for speaking in languages.CODES:
        phrases = languages.info(speaking).get("switch_phrases", [])
        for i, asked in enumerate(languages.CODES):
            candidates = words[asked]
            for j, phrase in enumerate(phrases[:4]):
                word = candidates[(i + j) % len(candidates)]
                lines.append(phrase.replace("{w}", f"[{word}](language_choice)"))
    unique = list(dict.fromkeys(lines))
    nlu: list[dict[str, Any]] = [
        {"intent": "switch_language", "examples": "".join(f"- {line}\n" for line in unique)}
    ]
    for code in languages.CODES:
        nlu.append({"synonym": code, "examples": "".join(f"- {w}\n" for w in words[code])})
    lookup = sorted({w.lower() for code in languages.CODES for w in words[code]})
    nlu.append({"lookup": "language_choice", "examples": "".join(f"- {w}\n" for w in lookup)})
    return {"version": RASA_VERSION, "nlu": nlu}


def outputs() -> dict[Path, str]:
    """Every generated file and its text: the same for every municipality (no WEGWIJS_MUNICIPALITY)."""
    faqs = loader.load_faqs()
    intents = loader.load_intents()
    return {
        OUT_FAQ_NLU: dump(faq_nlu(faqs)),
        OUT_INTENT_NLU: dump(intent_nlu(intents)),
        OUT_FAQ_DOMAIN: dump(faq_domain(faqs)),
        OUT_DIALOGUE_DOMAIN: dump(dialogue_domain(faqs)),
        OUT_LANGUAGE_DOMAIN: dump(language_domain()),
        OUT_LANGUAGE_NLU: dump(language_nlu()),
        OUT_MUNICIPALITY_DOMAIN: dump(municipality_domain()),
    }


def stale_files() -> list[Path]:
    return [path for path, text in outputs().items() if not path.exists() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when generated files are stale")
    args = parser.parse_args(argv)

    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"STALE {path.relative_to(loader.REPO_ROOT)}: run `python -m knowledge.build`")
        print("generated files are up to date" if not stale else f"{len(stale)} generated file(s) out of date")
        return 1 if stale else 0

    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(loader.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
