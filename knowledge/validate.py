"""Check the knowledge base and explain every problem in one line an editor can act on.

Usage:  python -m knowledge.validate          (exit 1 when there are errors)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jsonschema

from knowledge import languages, loader, texts, translations

MAX_ANSWER_WORDS = 110  # B1 target is ~90 words; above this the answer must be cut
# Translations may run longer than the Dutch (Portuguese, English) or shorter (Turkish).
MAX_TRANSLATION_WORDS = 150
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")
_SPECIAL_FACTS = re.compile(r"^(SEED-\d+|project-policy)$")

RULES_PATH = loader.KNOWLEDGE_DIR / "deadlines" / "rules.yaml"
# The original documents (shared/sources/*.txt) are not part of the repository. When they are
# present (by default next to the repository, as on the project machine), the lines and quotes
# that rules.yaml cites from them are checked too; otherwise only their file names are.
SOURCES_DIR = Path(os.environ.get("WEGWIJS_SOURCES_DIR", loader.REPO_ROOT.parent / "shared" / "sources"))
CONFIRMING_LEVELS = {"HIGH", "SEED"}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def normalise(text: str) -> str:
    """Lower-case and collapse whitespace/punctuation at the ends, for duplicate checks."""
    collapsed = re.sub(r"\s+", " ", text.strip().lower())
    return collapsed.strip(" .?!") or collapsed


def _schema(name: str) -> dict:
    return json.loads((loader.SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _rel(path: Path | None) -> str:
    if path is None:
        return "<memory>"
    try:
        return str(path.relative_to(loader.REPO_ROOT))
    except ValueError:
        return str(path)


def _schema_problems(data: object, schema: dict, path: Path) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        problems.append(Problem(_rel(path), f"{where}: {error.message}"))
    return problems


def check_text(text: str, where: str, context: dict) -> list[Problem]:
    """Answers may only use known ``{{ gemeente.* }}`` placeholders and no other braces."""
    problems = []
    stripped = _PLACEHOLDER.sub("", text)
    if "{" in stripped or "}" in stripped:
        problems.append(Problem(where, "curly braces outside a {{ gemeente.* }} placeholder"))
    try:
        jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).render(context)
    except jinja2.exceptions.UndefinedError as exc:
        problems.append(Problem(where, f"unknown placeholder: {exc.message}"))
    except jinja2.exceptions.TemplateSyntaxError as exc:
        problems.append(Problem(where, f"placeholder syntax error: {exc.message}"))
    return problems


def placeholder_context() -> dict:
    """Every ``{{ gemeente.* }}`` name, for checking texts (values are filled in when sent)."""
    return {"gemeente": {name: name for name in loader.PLACEHOLDER_NAMES}}


def municipality_problems(catalogue_ids: list[str] | None = None) -> list[Problem]:
    """knowledge/municipalities/: schema, id = file name, overrides of known topics in known
    languages with known placeholders, and channels and place names that name one municipality."""
    schema = _schema("municipality.schema.json")
    catalogue_ids = catalogue_ids if catalogue_ids is not None else loader.topic_ids()
    context = placeholder_context()
    problems: list[Problem] = []
    claimed: dict[tuple[str, str], str] = {}
    paths = loader.municipality_paths()
    if not paths:
        problems.append(Problem("knowledge/municipalities", "no municipality file"))
    for path in paths:
        data = loader.read_yaml(path)
        where = _rel(path)
        found = _schema_problems(data, schema, path)
        problems += found
        if found:
            continue
        if data["id"] != path.stem:
            problems.append(Problem(where, f"id '{data['id']}' differs from the file name '{path.stem}'"))
        for topic, parts in (data.get("overrides") or {}).items():
            if topic not in catalogue_ids:
                problems.append(Problem(where, f"overrides: '{topic}' is not a topic id in knowledge/catalogue.yml"))
            for part, per_lang in parts.items():
                for lang, text in per_lang.items():
                    if lang not in loader.LANGUAGES:
                        problems.append(Problem(where, f"overrides/{topic}/{part}: unknown language '{lang}'"))
                    problems += check_text(text, f"{where}: overrides/{topic}/{part}/{lang}", context)
        kanalen = data.get("kanalen") or {}
        keys = [("webchat", kanalen.get("webchat") or data["id"])]
        keys += [(name, str(kanalen[name])) for name in ("whatsapp_phone_number_id", "telegram_bot") if kanalen.get(name)]
        keys += [("plaats", normalise(place)) for place in data["plaatsen"]]
        for key in keys:
            other = claimed.setdefault((key[0], key[1].lower()), data["id"])
            if other != data["id"]:
                problems.append(Problem(where, f"{key[0]} '{key[1]}' is also used by municipality '{other}'"))
    if not any(p.path.startswith("knowledge/municipalities") for p in problems):
        if loader.municipality_name() not in loader.municipalities():
            problems.append(Problem("WEGWIJS_MUNICIPALITY", f"'{loader.municipality_name()}' is not a municipality file"))
    return problems


def print_overrides_report() -> None:
    """Per municipality, the answers it overrides and in which languages."""
    for mid, topics in loader.overrides_report().items():
        if not topics:
            print(f"{mid:<16} no overrides (national answers)")
        for topic, langs in topics.items():
            print(f"{mid:<16} {topic}: {', '.join(langs)}")


def validate(today: dt.date | None = None) -> list[Problem]:
    today = today or dt.date.today()
    problems: list[Problem] = []
    faq_schema = _schema("faq.schema.json")
    intent_schema = _schema("intent.schema.json")
    fact_rows = loader.load_fact_rows()
    catalogue_ids = loader.topic_ids()
    problems += municipality_problems(catalogue_ids)
    context = placeholder_context()

    faqs: dict[str, loader.Faq] = {}
    for path in loader.faq_paths():
        data = loader.read_yaml(path)
        found = _schema_problems(data, faq_schema, path)
        problems += found
        if found:
            continue
        faq = loader.Faq.from_dict(data, path)
        faqs[faq.id] = faq
        where = _rel(path)
        if faq.id != path.stem:
            problems.append(Problem(where, f"id '{faq.id}' differs from the file name '{path.stem}'"))
        if faq.id not in catalogue_ids:
            problems.append(Problem(where, f"'{faq.id}' is not a topic id in knowledge/catalogue.yml"))
        for row in faq.facts:
            if not _SPECIAL_FACTS.match(row) and row not in fact_rows:
                problems.append(Problem(where, f"facts: unknown fact-sheet row '{row}'"))
        if dt.date.fromisoformat(str(faq.review_by)) < today:
            problems.append(Problem(where, f"review_by {faq.review_by} has passed: review the answer"))
        for part in ("answer", "more"):
            problems += check_text(faq.answer["nl"] if part == "answer" else faq.more["nl"], f"{where}: {part}/nl", context)
        words = len(faq.answer["nl"].split())
        if words > MAX_ANSWER_WORDS:
            problems.append(Problem(where, f"answer/nl has {words} words; keep it under {MAX_ANSWER_WORDS}"))
    problems += translation_problems(faqs, context)
    for name, spec in loader.load_dialogue().items():
        for lang in [code for code in loader.LANGUAGES if code in spec]:
            where = f"{_rel(loader.DIALOGUE)}: {name}/{lang}"
            problems += check_text(spec[lang], where, context)
            if lang != "nl":
                problems += placeholder_problems(spec["nl"], spec[lang], where)
        for button in spec.get("buttons", []):
            if "topic" in button and button["topic"] not in catalogue_ids:
                problems.append(Problem(_rel(loader.DIALOGUE), f"{name}: unknown topic '{button['topic']}'"))
            elif "topic" not in button and not ("nl" in button.get("title", {}) and "payload" in button):
                problems.append(Problem(_rel(loader.DIALOGUE), f"{name}: a button needs a Dutch title and a payload"))
    for path in loader.intent_paths():
        problems += _schema_problems(loader.read_yaml(path), intent_schema, path)
    intent_lang_schema = _schema("intent-lang.schema.json")
    for path in loader.translation_paths("intents"):
        data = loader.read_yaml(path)
        problems += _schema_problems(data, intent_lang_schema, path)
        if data.get("intent") != path.stem:
            problems.append(Problem(_rel(path), f"intent '{data.get('intent')}' differs from the file name"))
    problems += message_problems()

    for topic in catalogue_ids:
        if topic not in faqs and not (loader.FAQ_DIR / f"{topic}.yaml").exists():
            problems.append(Problem("knowledge/faq", f"missing topic file {topic}.yaml"))
    for faq in faqs.values():
        for related in faq.related:
            if related == faq.id or related not in catalogue_ids:
                problems.append(Problem(_rel(faq.path), f"related: '{related}' is not another topic id"))

    intents = loader.load_intents() if not any("knowledge/intents" in p.path for p in problems) else {}
    for name in loader.intent_names():
        if name not in intents and not (loader.INTENT_DIR / f"{name}.yaml").exists():
            problems.append(Problem("knowledge/intents", f"missing intent file {name}.yaml"))

    problems += duplicate_problems(faqs, intents)
    problems += rules_problems(fact_rows)
    return problems


_ANY_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}|\[[a-z_]+\]|\{[a-z_]+\}")


def placeholder_problems(source: str, translated: str, where: str) -> list[Problem]:
    """A translation keeps exactly the Dutch text's placeholders ({{ gemeente.naam }}, [slot], {x})."""
    want = sorted(" ".join(m.split()) for m in _ANY_PLACEHOLDER.findall(source))
    got = sorted(" ".join(m.split()) for m in _ANY_PLACEHOLDER.findall(translated))
    if want != got:
        return [Problem(where, f"placeholders differ from the Dutch text: {got} instead of {want}")]
    return []


def translation_problems(faqs: dict, context: dict) -> list[Problem]:
    """knowledge/i18n/<lang>/faq/: schema, known topic, placeholders as in Dutch, length."""
    schema = _schema("translation.schema.json")
    problems: list[Problem] = []
    for path in loader.translation_paths("faq"):
        data = loader.read_yaml(path)
        found = _schema_problems(data, schema, path)
        problems += found
        where = _rel(path)
        if found:
            continue
        if data["topic"] != path.stem or data["topic"] not in faqs:
            problems.append(Problem(where, f"topic '{data['topic']}' is not the Dutch topic {path.stem}"))
            continue
        faq = faqs[data["topic"]]
        for part in ("answer", "more"):
            problems += check_text(data[part], f"{where}: {part}", context)
            problems += placeholder_problems(getattr(faq, part)["nl"], data[part], f"{where}: {part}")
        words = len(data["answer"].split())
        if words > MAX_TRANSLATION_WORDS:
            problems.append(Problem(where, f"answer has {words} words; keep it under {MAX_TRANSLATION_WORDS}"))
        if not data["translation"].get("from_nl"):
            problems.append(Problem(where, "translation/from_nl is missing: run "
                                    "`python -m knowledge.translations stamp --lang <lang>`"))
    return problems


def message_problems() -> list[Problem]:
    """Message catalogues: every key exists in Dutch, placeholders as in Dutch."""
    problems: list[Problem] = []
    source = texts.catalogue(languages.SOURCE)
    for lang in languages.TRANSLATIONS:
        for key, value in texts.catalogue(lang).items():
            where = f"knowledge/i18n/{lang}/messages: {key}"
            if key not in source:
                problems.append(Problem(where, "no such key in the Dutch catalogue"))
                continue
            problems += placeholder_problems(source[key], value, where)
    return problems


def _plain(text: str) -> str:
    """A fact-sheet line or quote without ** markup and with single spaces, for quote checks."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def evidence_problems(evidence: dict, where: str, fact_rows: dict) -> list[Problem]:
    """One `checked_in` entry: the quote is on the cited line, and a cited row confirms (HIGH/SEED)."""
    file, line_no, quote = evidence["file"], evidence["line"], _plain(evidence["quote"])
    if file.startswith("shared/sources/"):
        name = file.removeprefix("shared/sources/")
        if name not in loader.FACT_SHEET.read_text(encoding="utf-8"):
            return [Problem(where, f"checked_in: {file} is not a source document listed in the fact sheet")]
        path = SOURCES_DIR / name
        if not path.exists():
            return []  # the original documents are not available here: cannot check the line
    else:
        path = loader.REPO_ROOT / file
    lines = path.read_text(encoding="utf-8").splitlines()
    if line_no > len(lines):
        return [Problem(where, f"checked_in: {file} has no line {line_no}")]
    line = lines[line_no - 1]
    problems = []
    if quote not in _plain(line):
        message = f"checked_in: the quote is not on {file} line {line_no}: '{evidence['quote']}'"
        problems.append(Problem(where, message))
    row = evidence.get("row")
    if row is not None:
        if not re.match(rf"^\|\s*{re.escape(row)}\s*\|", line):
            problems.append(Problem(where, f"checked_in: {file} line {line_no} is not fact-sheet row {row}"))
        elif row not in fact_rows or fact_rows[row].confidence not in CONFIRMING_LEVELS:
            level = fact_rows[row].confidence if row in fact_rows else "unreadable"
            message = f"checked_in: row {row} is {level}; only HIGH or SEED rows confirm"
            problems.append(Problem(where, message))
    return problems


def rules_problems(fact_rows: dict) -> list[Problem]:
    """rules.yaml: schema, known fact rows, and every confirmed legal reference says where (verifiably)."""
    data = loader.read_yaml(RULES_PATH)
    where_file = _rel(RULES_PATH)
    problems = _schema_problems(data, _schema("rules.schema.json"), RULES_PATH)
    if problems:
        return problems
    for key, rule in data["rules"].items():
        where = f"{where_file}: {key}"
        for row in rule["facts"]:
            if row not in fact_rows:
                problems.append(Problem(where, f"facts: unknown fact-sheet row '{row}'"))
        if not rule["legal_basis"] and not rule.get("basis_note"):
            problems.append(Problem(where, "needs a legal_basis or a basis_note"))
        for i, basis in enumerate(rule["legal_basis"]):
            for evidence in basis.get("checked_in", []):
                problems += evidence_problems(evidence, f"{where}/legal_basis/{i}", fact_rows)
    return problems


def duplicate_problems(faqs: dict, intents: dict) -> list[Problem]:
    """The same example may not train two labels, nor appear both in training and test."""
    owners: dict[str, set[str]] = defaultdict(set)
    test_owners: dict[str, set[str]] = defaultdict(set)
    for label, item in [(f"faq/{k}", v) for k, v in faqs.items()] + list(intents.items()):
        for lang in loader.LANGUAGES:
            for text in item.examples.get(lang, []):
                owners[normalise(text)].add(label)
            for text in item.test_examples.get(lang, []):
                test_owners[normalise(text)].add(label)
    problems = []
    for text, labels in sorted(owners.items()):
        if len(labels) > 1:
            problems.append(Problem("knowledge", f"example '{text}' is used by {', '.join(sorted(labels))}"))
        if text in test_owners:
            problems.append(
                Problem("knowledge", f"held-out example '{text}' is also a training example ({', '.join(sorted(labels))})")
            )
    return problems


def main() -> int:
    problems = validate()
    for problem in problems:
        print(f"ERROR {problem}")
    faqs = len(loader.faq_paths())
    intents = len(loader.intent_paths())
    print(f"knowledge: {faqs} FAQ topics, {intents} intents, {len(problems)} problem(s)")
    print("\nmunicipal overrides of national answers (per language):")
    print_overrides_report()
    print("\ntranslations (python -m knowledge.translations report):")
    translations.print_report(list(languages.TRANSLATIONS))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
