"""Read the knowledge base: FAQ topics, intent examples, municipalities, fact-sheet rows.

Pure Python (PyYAML + Jinja2) so that both the engine and the gateway environment import it.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge import languages

KNOWLEDGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = KNOWLEDGE_DIR.parent
FAQ_DIR = KNOWLEDGE_DIR / "faq"
INTENT_DIR = KNOWLEDGE_DIR / "intents"
MUNICIPALITY_DIR = KNOWLEDGE_DIR / "municipalities"
SCHEMA_DIR = KNOWLEDGE_DIR / "schema"
FACT_SHEET = KNOWLEDGE_DIR / "facts" / "wi2021-facts.md"
CATALOGUE = KNOWLEDGE_DIR / "catalogue.yml"
DIALOGUE = KNOWLEDGE_DIR / "dialogue" / "responses.yaml"
I18N_DIR = KNOWLEDGE_DIR / "i18n"

# Every language Wegwijs speaks (knowledge/languages.yml); Dutch is the source.
LANGUAGES = languages.CODES
SOURCE_LANGUAGE = languages.SOURCE
DEFAULT_MUNICIPALITY = "voorbeeldstad"

_FACT_ROW = re.compile(r"^\|\s*(\d+\.\d+)\s*\|(.*)\|\s*$")
_CONFIDENCE = re.compile(r"\b(HIGH|SEED|MED|LOW|UNVERIFIED)\b")


@dataclass(frozen=True)
class FactRow:
    id: str
    summary: str
    confidence: str  # weakest level named in the row's confidence column


@dataclass
class Faq:
    id: str
    title: dict[str, str]
    audience: list[str]
    facts: list[str]
    escalate: bool
    related: list[str]
    answer: dict[str, str]
    more: dict[str, str]
    sources: list[dict[str, Any]]
    review_by: str
    examples: dict[str, list[str]]
    test_examples: dict[str, list[str]]
    offer_deadlines: bool = False
    image: str | None = None
    path: Path | None = None
    # per translated language: made_by, reviewed_by, reviewed_on, from_nl (knowledge/translations.py)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: Path | None = None) -> "Faq":
        known = {f for f in cls.__dataclass_fields__ if f not in ("path", "translations")}
        return cls(**{k: v for k, v in data.items() if k in known}, path=path)

    def text(self, part: str, lang: str) -> str:
        """`title`, `answer` or `more` in `lang`, or the Dutch source when not translated."""
        values = getattr(self, part)
        return values.get(lang) or values[SOURCE_LANGUAGE]

    def languages(self) -> list[str]:
        """The languages this topic has an answer in (Dutch first)."""
        return [lang for lang in LANGUAGES if lang in self.answer]


@dataclass
class IntentExamples:
    intent: str
    description: str
    examples: dict[str, list[str]]
    test_examples: dict[str, list[str]]
    path: Path | None = None


_WEEKDAYS = {
    "maandag": "monday", "dinsdag": "tuesday", "woensdag": "wednesday", "donderdag": "thursday",
    "vrijdag": "friday", "zaterdag": "saturday", "zondag": "sunday",
}


@dataclass
class Municipality:
    """One municipality (knowledge/municipalities/<id>.yaml, schema/municipality.schema.json)."""

    id: str
    naam: str
    website: str
    team: dict[str, str]
    openingstijden: dict[str, list[str]]
    plaatsen: list[str] = field(default_factory=list)
    taalcafes: list[dict[str, Any]] = field(default_factory=list)
    # optional channel settings: webchat (path slug, default the id), whatsapp_phone_number_id, telegram_bot
    kanalen: dict[str, str] = field(default_factory=dict)
    # the controller in the privacy statement: verwerkingsverantwoordelijke, contact, fg
    privacy: dict[str, str] = field(default_factory=dict)
    bewaartermijn_dagen: int | None = None
    checkin_interval_weeks: int | None = None
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def webchat(self) -> str:
        """The web chat's path slug (/<slug>): `kanalen.webchat`, by default the id."""
        return self.kanalen.get("webchat") or self.id

    def override(self, faq_id: str, part: str, lang: str) -> str | None:
        """This municipality's own `answer` or `more` of a topic in `lang`, if it has one."""
        return (self.overrides.get(faq_id, {}).get(part) or {}).get(lang) or None

    def openingstijden_text(self, lang: str = SOURCE_LANGUAGE) -> str:
        """Office hours as one line per day ("maandag 09:00–17:00"), weekday names in `lang`."""
        from knowledge import texts  # the catalogues import languages only; no cycle

        lines = []
        for day, (start, end) in self.openingstijden.items():
            name = texts.text(f"inbox.weekday.{_WEEKDAYS[day]}", lang)
            lines.append(f"- {name} {start}–{end}")
        return "\n".join(lines)

    def taalcafes_text(self, lang: str = SOURCE_LANGUAGE) -> str:
        """The language cafés as one line each: "- name, where: when" (when in `lang` or Dutch)."""
        lines = []
        for cafe in self.taalcafes:
            when = cafe["wanneer"].get(lang) or cafe["wanneer"][SOURCE_LANGUAGE]
            lines.append(f"- {cafe['naam']}, {cafe['waar']}: {when}")
        return "\n".join(lines)

    def template_context(self, lang: str = SOURCE_LANGUAGE) -> dict[str, Any]:
        """Values available to answers as ``{{ gemeente.<name> }}`` (filled in when sent)."""
        return {
            "gemeente": {
                "naam": self.naam,
                "website": self.website,
                "telefoon": self.team.get("telefoon", ""),
                "email": self.team.get("email", ""),
                "adres": self.team.get("adres", ""),
                "team": self.team.get("naam", ""),
                "openingstijden": self.openingstijden_text(lang),
                "taalcafes": self.taalcafes_text(lang),
            }
        }


# The names answers may use as {{ gemeente.<name> }}.
PLACEHOLDER_NAMES = ("naam", "website", "telefoon", "email", "adres", "team", "openingstijden", "taalcafes")


# libyaml's C loader when PyYAML has it (about ten times faster on the ~500 knowledge files)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDateLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps dates as ISO strings, as the JSON Schemas expect."""


_TextDateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_TextDateLoader)


def faq_paths() -> list[Path]:
    return sorted(FAQ_DIR.glob("*.yaml"))


def intent_paths() -> list[Path]:
    return sorted(INTENT_DIR.glob("*.yaml"))


def translation_path(lang: str, kind: str, name: str) -> Path:
    """knowledge/i18n/<lang>/<kind>/<name>.yaml (kind: faq or intents)."""
    return I18N_DIR / lang / kind / f"{name}.yaml"


def translation_paths(kind: str) -> list[Path]:
    return sorted(p for lang in languages.TRANSLATIONS for p in (I18N_DIR / lang / kind).glob("*.yaml"))


def _read_faq(path: Path) -> Faq:
    """One topic with its Dutch source and the translations in knowledge/i18n/<lang>/faq/."""
    faq = Faq.from_dict(read_yaml(path), path)
    for lang in languages.TRANSLATIONS:
        tpath = translation_path(lang, "faq", faq.id)
        if not tpath.exists():
            continue
        tr = read_yaml(tpath)
        for part in ("title", "answer", "more"):
            if tr.get(part):
                getattr(faq, part)[lang] = tr[part]
        faq.examples[lang] = list(tr.get("examples") or [])
        faq.test_examples[lang] = list(tr.get("test_examples") or [])
        faq.translations[lang] = dict(tr.get("translation") or {})
    return faq


def load_faqs() -> dict[str, Faq]:
    """Every topic with its Dutch source and the translations in knowledge/i18n/<lang>/faq/."""
    faqs = {}
    for path in faq_paths():
        faq = _read_faq(path)
        faqs[faq.id] = faq
    return faqs


def load_faq(topic: str) -> Faq:
    """One topic (knowledge/faq/<topic>.yaml) with its translations, without reading the others."""
    return _read_faq(FAQ_DIR / f"{topic}.yaml")


def load_intents() -> dict[str, IntentExamples]:
    """Examples per intent: Dutch from knowledge/intents/, others from knowledge/i18n/<lang>/intents/."""
    intents = {}
    for path in intent_paths():
        data = read_yaml(path)
        examples = dict(data["examples"])
        tests = dict(data.get("test_examples") or {})
        for lang in languages.TRANSLATIONS:
            tpath = translation_path(lang, "intents", data["intent"])
            if tpath.exists():
                tr = read_yaml(tpath)
                examples[lang] = list(tr.get("examples") or [])
                tests[lang] = list(tr.get("test_examples") or [])
        intents[data["intent"]] = IntentExamples(
            intent=data["intent"],
            description=data.get("description", ""),
            examples=examples,
            test_examples=tests,
            path=path,
        )
    return intents


def municipality_name() -> str:
    """The deployment's default municipality (WEGWIJS_MUNICIPALITY): used when a conversation's
    own municipality is not (yet) known. Answers are no longer generated for it."""
    return os.environ.get("WEGWIJS_MUNICIPALITY", DEFAULT_MUNICIPALITY)


def municipality_paths() -> list[Path]:
    return sorted(MUNICIPALITY_DIR.glob("*.yaml"))


def _municipality(data: dict[str, Any]) -> Municipality:
    return Municipality(**{k: v for k, v in data.items() if k in Municipality.__dataclass_fields__})


@functools.lru_cache(maxsize=1)
def municipalities() -> dict[str, Municipality]:
    """Every municipality in knowledge/municipalities/, by id (read once per process)."""
    result = {}
    for path in municipality_paths():
        municipality = _municipality(read_yaml(path))
        result[municipality.id] = municipality
    return result


def load_municipality(name: str | None = None) -> Municipality:
    """One municipality by id; without a name the deployment's default (WEGWIJS_MUNICIPALITY)."""
    name = name or municipality_name()
    found = municipalities().get(name)
    if found is None:
        known = ", ".join(municipalities())
        raise FileNotFoundError(f"Unknown municipality '{name}'. Known: {known}")
    return found


def overrides_report() -> dict[str, dict[str, list[str]]]:
    """Per municipality, which answers it overrides and in which languages:
    ``{"rivierdam": {"informeel_taalaanbod": ["nl", "en"]}}`` (municipalities without overrides
    map to ``{}``). For the validator's report and the inbox's topic view."""
    report: dict[str, dict[str, list[str]]] = {}
    for mid, municipality in sorted(municipalities().items()):
        topics: dict[str, list[str]] = {}
        for faq_id, parts in sorted((municipality.overrides or {}).items()):
            langs = {lang for part in ("answer", "more") for lang in (parts or {}).get(part) or {}}
            topics[faq_id] = [code for code in LANGUAGES if code in langs] + sorted(langs - set(LANGUAGES))
        report[mid] = topics
    return report


@functools.lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Any]:
    """The fixed topic catalogue: ``{"topics": [...], "intents": [...]}``."""
    return read_yaml(CATALOGUE)


def topic_ids() -> list[str]:
    return [t["id"] for t in load_catalogue()["topics"]]


def intent_names() -> list[str]:
    return list(load_catalogue()["intents"])


@functools.lru_cache(maxsize=1)
def load_fact_rows() -> dict[str, FactRow]:
    """Rows of the fact sheet, keyed by their number ("2.5")."""
    rows = {}
    for line in FACT_SHEET.read_text(encoding="utf-8").splitlines():
        match = _FACT_ROW.match(line)
        if not match:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        # columns: # | Rule | Exact numbers | Source | Conf. | Notes
        confidence_cell = cells[4] if len(cells) > 4 else ""
        levels = _CONFIDENCE.findall(confidence_cell) or ["UNVERIFIED"]
        order = ["UNVERIFIED", "LOW", "MED", "SEED", "HIGH"]
        weakest = min(levels, key=order.index)
        rows[match.group(1)] = FactRow(id=match.group(1), summary=cells[1], confidence=weakest)
    return rows


def load_dialogue() -> dict[str, dict[str, Any]]:
    """The assistant's own texts (greeting, fallback, form questions...) in every language.

    Dutch from knowledge/dialogue/responses.yaml; each translation from
    knowledge/i18n/<lang>/dialogue.yaml is merged in as ``spec[lang]`` (and the titles of the
    buttons that have one, in order). A response that a language lacks keeps only Dutch."""
    import copy

    dialogue = copy.deepcopy(read_yaml(DIALOGUE))
    for name in dialogue:  # YAML anchors share button lists: give every response its own copy
        dialogue[name] = copy.deepcopy(dialogue[name])
    for lang in languages.TRANSLATIONS:
        path = I18N_DIR / lang / "dialogue.yaml"
        if not path.exists():
            continue
        data = read_yaml(path) or {}
        for name, entry in (data.get("responses") or {}).items():
            spec = dialogue.get(name)
            if spec is None or not entry.get("text"):
                continue
            spec[lang] = entry["text"]
            titles = list(entry.get("buttons") or [])
            for button in [b for b in spec.get("buttons") or [] if "title" in b]:
                if titles:
                    button["title"][lang] = titles.pop(0)
    return dialogue
