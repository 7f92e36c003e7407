"""Translations of the Dutch source: provenance, staleness and the PO round trip for translators."""

from __future__ import annotations

import shutil

import pytest

from knowledge import languages, loader, translations


@pytest.fixture
def i18n(tmp_path, monkeypatch):
    """A copy of knowledge/i18n to change on purpose."""
    copy = tmp_path / "i18n"
    shutil.copytree(translations.I18N_DIR, copy)
    monkeypatch.setattr(translations, "I18N_DIR", copy)
    return copy


def test_every_language_but_dutch_is_a_translation_with_a_report_line():
    assert languages.SOURCE == "nl" and set(languages.TRANSLATIONS) == {"en", "tr", "ar", "pt"}
    for lang in languages.TRANSLATIONS:
        report = translations.status(lang)
        assert sum(len(v) for v in report.values()) > 45  # every answer, response and message


def test_the_hash_changes_with_the_dutch_text_but_not_with_its_line_breaks():
    assert translations.source_hash("U heeft 3 jaar.") == translations.source_hash("U heeft  3\njaar.")
    assert translations.source_hash("U heeft 3 jaar.") != translations.source_hash("U heeft 5 jaar.")


def test_a_translation_made_from_an_older_dutch_text_is_reported_stale(i18n):
    path = i18n / "en" / "faq" / "kosten.yaml"
    data = translations.read(path)
    data["translation"]["from_nl"] = translations.source_hash("an older Dutch text")
    path.write_text(translations.dump_yaml(data), encoding="utf-8")
    assert "faq/kosten" in translations.status("en")["stale"]
    # stamping records the current Dutch text again (after a translator updated it)
    translations.stamp("en", restamp=True)
    assert "faq/kosten" not in translations.status("en")["stale"]


def test_the_po_export_holds_the_dutch_source_and_the_translation_of_each_unit(tmp_path):
    from babel.messages.pofile import read_po

    po = tmp_path / "en.po"
    count = translations.export_po("en", po)
    with po.open("rb") as handle:
        catalog = read_po(handle)
    termijn = catalog.get(loader.load_faqs()["termijn"].answer["nl"], context="faq/termijn/answer")
    assert termijn is not None and termijn.string.startswith("You have 3 years")
    assert count == len([m for m in catalog if m.id])


def test_a_po_file_translated_in_a_tool_comes_back_into_the_knowledge_base(i18n, tmp_path):
    from babel.messages.pofile import read_po, write_po

    po = tmp_path / "pt.po"
    translations.export_po("pt", po)
    with po.open("rb") as handle:
        catalog = read_po(handle)
    dutch_more = loader.load_faqs()["boete"].more["nl"]
    message = catalog.get(dutch_more, context="faq/boete/more")
    message.string = "Quer saber mais? Veja o site da DUO."
    message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=0)
    assert translations.import_po("pt", po, translator="Ana Tradutora") > 0
    data = translations.read(i18n / "pt" / "faq" / "boete.yaml")
    assert data["more"] == "Quer saber mais? Veja o site da DUO."
    assert data["translation"]["made_by"] == "Ana Tradutora"
    assert data["translation"]["from_nl"] == translations.source_hash(
        translations.faq_source_text(translations._faq_source("boete"))
    )
    # training examples in the file are kept
    assert len(data["examples"]) >= 20


def test_a_po_string_whose_dutch_changed_since_the_export_is_not_imported(i18n, tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="tr")
    catalog.add("Een Nederlandse tekst die niet meer bestaat.", "Artık olmayan bir metin.",
                context="faq/boete/more")
    po = tmp_path / "tr.po"
    with po.open("wb") as handle:
        write_po(handle, catalog)
    assert translations.import_po("tr", po) == 0
