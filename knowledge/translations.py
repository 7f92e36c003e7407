"""Translations of the Dutch source: provenance, staleness, and exchange with translation tools.

Every translated text records the hash of the Dutch text it was made from (`from_nl`), who made
it (`made_by`: ``draft`` for a team draft, or a translator's name) and who reviewed it, when
(`reviewed_by`, `reviewed_on`). A translation is **stale** when the Dutch changed since (its
`from_nl` no longer matches), and **unreviewed** until a reviewer signs it off; until then the
assistant marks the answer as "not yet checked by a translator" and offers the Dutch text.

Usage:
    python -m knowledge.translations report [--lang tr]        per-language status
    python -m knowledge.translations stamp --lang tr [--all]   record the current Dutch hash on
                                                               translations that have none
    python -m knowledge.translations export --lang tr -o tr.po     gettext PO for Weblate/Crowdin/
    python -m knowledge.translations import --lang tr tr.po        Transifex, and back

The PO files are read and written with Babel's ``babel.messages.pofile`` (a maintained library);
msgctxt is the unit's id (``faq/termijn/answer``), msgid the Dutch text, msgstr the translation.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from . import languages

KNOWLEDGE_DIR = Path(__file__).resolve().parent
I18N_DIR = KNOWLEDGE_DIR / "i18n"
FAQ_PARTS = ("title", "answer", "more")


def source_hash(*texts: str) -> str:
    """A short, stable fingerprint of the Dutch text(s) a translation was made from."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(" ".join(str(text).split()).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# YAML writing in the knowledge base's style (block text for multi-line strings, keys in order)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any, header: str = "") -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# ---------------------------------------------------------------------------------------------
# Units: the translatable pieces, each with its Dutch source and its translation


@dataclass
class Unit:
    lang: str
    id: str  # faq/termijn, dialogue/utter_greet, messages/deadlines.estimate_note
    source: str  # the Dutch text now
    text: str | None  # the translation, None when missing
    from_nl: str | None
    made_by: str | None
    reviewed_by: str | None
    reviewed_on: str | None
    path: Path

    @property
    def stale(self) -> bool:
        return self.text is not None and self.from_nl != source_hash(self.source)

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by) and not self.stale


def _faq_source(topic: str) -> dict[str, str]:
    data = read(KNOWLEDGE_DIR / "faq" / f"{topic}.yaml")
    return {part: data[part]["nl"] for part in FAQ_PARTS}


def faq_source_text(source: dict[str, str]) -> str:
    return "\n\n".join(source[part] for part in FAQ_PARTS)


def _dialogue_source() -> dict[str, dict[str, Any]]:
    return read(KNOWLEDGE_DIR / "dialogue" / "responses.yaml")


def dialogue_source_text(spec: dict[str, Any]) -> str:
    titles = [b["title"]["nl"] for b in spec.get("buttons") or [] if "title" in b]
    return "\n".join([spec["nl"], *titles])


def _messages_source() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted((I18N_DIR / languages.SOURCE / "messages").glob("*.yaml")):
        out[path.stem] = (read(path) or {}).get("messages") or {}
    return out


def units(lang: str) -> Iterator[Unit]:
    """Every translatable unit of `lang`, present or missing."""
    base = I18N_DIR / lang
    for source_path in sorted((KNOWLEDGE_DIR / "faq").glob("*.yaml")):
        topic = source_path.stem
        path = base / "faq" / f"{topic}.yaml"
        data = read(path) if path.exists() else {}
        meta = data.get("translation") or {}
        text = faq_source_text(data) if all(data.get(p) for p in FAQ_PARTS) else None
        yield Unit(lang, f"faq/{topic}", faq_source_text(_faq_source(topic)), text,
                   meta.get("from_nl"), meta.get("made_by"), meta.get("reviewed_by"),
                   meta.get("reviewed_on"), path)
    path = base / "dialogue.yaml"
    data = read(path) if path.exists() else {}
    meta = data.get("translation") or {}
    done = data.get("responses") or {}
    for name, spec in _dialogue_source().items():
        entry = done.get(name) or {}
        yield Unit(lang, f"dialogue/{name}", dialogue_source_text(spec), entry.get("text"),
                   entry.get("from_nl"), meta.get("made_by"), meta.get("reviewed_by"),
                   meta.get("reviewed_on"), path)
    for domain, messages in _messages_source().items():
        path = base / "messages" / f"{domain}.yaml"
        data = read(path) if path.exists() else {}
        meta = data.get("translation") or {}
        done = data.get("messages") or {}
        hashes = meta.get("from_nl") or {}
        for key, source in messages.items():
            yield Unit(lang, f"messages/{domain}.{key}", source, done.get(key),
                       hashes.get(key), meta.get("made_by"), meta.get("reviewed_by"),
                       meta.get("reviewed_on"), path)


def status(lang: str) -> dict[str, list[str]]:
    report: dict[str, list[str]] = {"missing": [], "stale": [], "unreviewed": [], "reviewed": []}
    for unit in units(lang):
        if unit.text is None:
            report["missing"].append(unit.id)
        elif unit.stale:
            report["stale"].append(unit.id)
        elif not unit.reviewed:
            report["unreviewed"].append(unit.id)
        else:
            report["reviewed"].append(unit.id)
    return report


def faq_checked(lang: str, topic: str) -> bool:
    """True when the topic's translation was reviewed and the Dutch has not changed since."""
    if lang == languages.SOURCE:
        return True
    path = I18N_DIR / lang / "faq" / f"{topic}.yaml"
    if not path.exists():
        return False
    data = read(path)
    meta = data.get("translation") or {}
    current = source_hash(faq_source_text(_faq_source(topic)))
    return bool(meta.get("reviewed_by")) and meta.get("from_nl") == current


# ---------------------------------------------------------------------------------------------
# stamp: record the Dutch hash on translations made from the current Dutch text


def stamp(lang: str, restamp: bool = False) -> int:
    """Record `from_nl` where it is missing (or everywhere with `restamp`). Returns files changed."""
    changed = 0
    base = I18N_DIR / lang
    for path in sorted((base / "faq").glob("*.yaml")):
        data = read(path)
        meta = data.setdefault("translation", {})
        current = source_hash(faq_source_text(_faq_source(path.stem)))
        if restamp or not meta.get("from_nl"):
            if meta.get("from_nl") != current:
                meta["from_nl"] = current
                _write_translation(path, data)
                changed += 1
    path = base / "dialogue.yaml"
    if path.exists():
        data = read(path)
        source = _dialogue_source()
        dirty = False
        for name, entry in (data.get("responses") or {}).items():
            if name in source and (restamp or not entry.get("from_nl")):
                current = source_hash(dialogue_source_text(source[name]))
                if entry.get("from_nl") != current:
                    entry["from_nl"] = current
                    dirty = True
        if dirty:
            _write_translation(path, data)
            changed += 1
    for domain, messages in _messages_source().items():
        path = base / "messages" / f"{domain}.yaml"
        if lang == languages.SOURCE or not path.exists():
            continue
        data = read(path)
        meta = data.setdefault("translation", {})
        hashes = meta.setdefault("from_nl", {}) or {}
        meta["from_nl"] = hashes
        dirty = False
        for key in data.get("messages") or {}:
            if key in messages and (restamp or not hashes.get(key)):
                current = source_hash(messages[key])
                if hashes.get(key) != current:
                    hashes[key] = current
                    dirty = True
        if dirty:
            _write_translation(path, data)
            changed += 1
    return changed


def _write_translation(path: Path, data: dict[str, Any]) -> None:
    """Write a translation file back, keeping its leading comment block."""
    text = path.read_text(encoding="utf-8")
    lead = []
    for line in text.splitlines():
        if line.startswith("#"):
            lead.append(line)
        else:
            break
    header = "".join(line + "\n" for line in lead)
    path.write_text(dump_yaml(data, header), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# gettext PO exchange (Babel)


def export_po(lang: str, out: Path) -> int:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale=lang.replace("pt", "pt_BR") if lang == "pt" else lang,
                      project="Wegwijs", fuzzy=False)
    count = 0
    for unit in _po_units(lang):
        flags = ["fuzzy"] if unit["fuzzy"] else []
        catalog.add(unit["source"], unit["text"] or "", context=unit["id"], flags=flags,
                    auto_comments=[f"from_nl {unit['hash']}"])
        count += 1
    with out.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=False)
    return count


def _po_units(lang: str) -> Iterator[dict[str, Any]]:
    """Single strings as translation tools know them: one per answer part, response, message."""
    base = I18N_DIR / lang
    for source_path in sorted((KNOWLEDGE_DIR / "faq").glob("*.yaml")):
        topic = source_path.stem
        source = _faq_source(topic)
        path = base / "faq" / f"{topic}.yaml"
        data = read(path) if path.exists() else {}
        stale = (data.get("translation") or {}).get("from_nl") != source_hash(faq_source_text(source))
        for part in FAQ_PARTS:
            yield {"id": f"faq/{topic}/{part}", "source": source[part], "text": data.get(part),
                   "hash": source_hash(source[part]), "fuzzy": bool(data.get(part)) and stale}
    path = base / "dialogue.yaml"
    done = (read(path) if path.exists() else {}).get("responses") or {}
    for name, spec in _dialogue_source().items():
        entry = done.get(name) or {}
        stale = entry.get("from_nl") != source_hash(dialogue_source_text(spec))
        yield {"id": f"dialogue/{name}", "source": spec["nl"], "text": entry.get("text"),
               "hash": source_hash(spec["nl"]), "fuzzy": bool(entry.get("text")) and stale}
        titles = [b["title"]["nl"] for b in spec.get("buttons") or [] if "title" in b]
        translated = entry.get("buttons") or []
        for i, title in enumerate(titles):
            yield {"id": f"dialogue/{name}/button/{i}", "source": title,
                   "text": translated[i] if i < len(translated) else None,
                   "hash": source_hash(title), "fuzzy": False}
    for domain, messages in _messages_source().items():
        mpath = base / "messages" / f"{domain}.yaml"
        mdata = read(mpath) if mpath.exists() else {}
        done_msgs = mdata.get("messages") or {}
        hashes = (mdata.get("translation") or {}).get("from_nl") or {}
        for key, source in messages.items():
            text = done_msgs.get(key)
            yield {"id": f"messages/{domain}.{key}", "source": source, "text": text,
                   "hash": source_hash(source),
                   "fuzzy": bool(text) and hashes.get(key) != source_hash(source)}


def import_po(lang: str, po_path: Path, translator: str | None = None) -> int:
    """Write the translated, non-fuzzy strings of a PO file back into knowledge/i18n/<lang>/.

    A string counts as made from the current Dutch when its msgid equals the Dutch text now; a
    msgid that no longer matches is skipped (the Dutch changed since the export)."""
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    base = I18N_DIR / lang
    written = 0
    faq_updates: dict[str, dict[str, str]] = {}
    dialogue_updates: dict[str, dict[str, Any]] = {}
    message_updates: dict[str, dict[str, str]] = {}
    sources = {u["id"]: u["source"] for u in _po_units(lang)}
    for message in catalog:
        if not message.id or not message.context or not message.string or message.fuzzy:
            continue
        unit_id = message.context
        if sources.get(unit_id) != message.id:
            continue
        kind, _, rest = unit_id.partition("/")
        if kind == "faq":
            topic, part = rest.split("/")
            faq_updates.setdefault(topic, {})[part] = message.string
        elif kind == "dialogue":
            name, _, button = rest.partition("/button/")
            entry = dialogue_updates.setdefault(name, {})
            if button:
                entry.setdefault("buttons", {})[int(button)] = message.string
            else:
                entry["text"] = message.string
        elif kind == "messages":
            domain, _, key = rest.partition(".")
            message_updates.setdefault(domain, {})[key] = message.string
        written += 1
    meta_new = {"made_by": translator or "imported", "reviewed_by": None, "reviewed_on": None}
    for topic, parts in faq_updates.items():
        path = base / "faq" / f"{topic}.yaml"
        data = read(path) if path.exists() else {"topic": topic}
        data.setdefault("translation", dict(meta_new))
        data.update(parts)
        if all(data.get(p) for p in FAQ_PARTS):
            data["translation"]["from_nl"] = source_hash(faq_source_text(_faq_source(topic)))
            if translator:
                data["translation"]["made_by"] = translator
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new(path, data, f"# {languages.info(lang)['english_name']} translation of knowledge/faq/{topic}.yaml.")
    if dialogue_updates:
        path = base / "dialogue.yaml"
        data = read(path) if path.exists() else {"translation": dict(meta_new), "responses": {}}
        source = _dialogue_source()
        responses = data.setdefault("responses", {})
        for name, update in dialogue_updates.items():
            entry = responses.setdefault(name, {})
            if "text" in update:
                entry["text"] = update["text"]
            if "buttons" in update:
                buttons = list(entry.get("buttons") or [])
                for i, title in sorted(update["buttons"].items()):
                    while len(buttons) <= i:
                        buttons.append("")
                    buttons[i] = title
                entry["buttons"] = buttons
            entry["from_nl"] = source_hash(dialogue_source_text(source[name]))
        _write_new(path, data, "# Translation of knowledge/dialogue/responses.yaml.")
    for domain, updates in message_updates.items():
        path = base / "messages" / f"{domain}.yaml"
        data = read(path) if path.exists() else {"translation": dict(meta_new), "messages": {}}
        data.setdefault("messages", {}).update(updates)
        hashes = data.setdefault("translation", dict(meta_new)).setdefault("from_nl", {})
        src = _messages_source()[domain]
        for key in updates:
            hashes[key] = source_hash(src[key])
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new(path, data, f"# Translation of knowledge/i18n/nl/messages/{domain}.yaml.")
    return written


def _write_new(path: Path, data: dict[str, Any], header: str) -> None:
    if path.exists():
        _write_translation(path, data)
    else:
        path.write_text(dump_yaml(data, header + "\n# The Dutch text is the legal source.\n"), encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def print_report(langs: list[str]) -> None:
    print(f"{'lang':<5} {'units':>6} {'missing':>8} {'stale':>6} {'unreviewed':>11} {'reviewed':>9}")
    for lang in langs:
        report = status(lang)
        total = sum(len(v) for v in report.values())
        print(f"{lang:<5} {total:>6} {len(report['missing']):>8} {len(report['stale']):>6} "
              f"{len(report['unreviewed']):>11} {len(report['reviewed']):>9}")
    for lang in langs:
        report = status(lang)
        for kind in ("missing", "stale"):
            if report[kind]:
                shown = ", ".join(report[kind][:8]) + (" …" if len(report[kind]) > 8 else "")
                print(f"  {lang} {kind}: {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="per-language status: missing, stale, unreviewed, reviewed")
    rep.add_argument("--lang", action="append")
    st = sub.add_parser("stamp", help="record the current Dutch hash where a translation has none")
    st.add_argument("--lang", required=True)
    st.add_argument("--all", action="store_true", help="restamp every translation (after a review)")
    ex = sub.add_parser("export", help="write a gettext PO file for translation tools")
    ex.add_argument("--lang", required=True)
    ex.add_argument("-o", "--output", type=Path, required=True)
    im = sub.add_parser("import", help="read a translated PO file back")
    im.add_argument("--lang", required=True)
    im.add_argument("--translator", help="name recorded as made_by")
    im.add_argument("po", type=Path)
    args = parser.parse_args(argv)
    if args.command == "report":
        print_report(args.lang or list(languages.TRANSLATIONS))
    elif args.command == "stamp":
        print(f"{stamp(args.lang, restamp=args.all)} file(s) stamped")
    elif args.command == "export":
        print(f"{export_po(args.lang, args.output)} strings written to {args.output}")
    elif args.command == "import":
        print(f"{import_po(args.lang, args.po, args.translator)} strings imported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
