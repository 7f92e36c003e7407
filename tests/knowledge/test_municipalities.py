"""Many municipalities, one model: municipality files are checked, the generated Rasa data does
not depend on WEGWIJS_MUNICIPALITY, and details and overrides are filled in when sent."""

from __future__ import annotations

import shutil

import pytest
import yaml

from knowledge import build, loader, municipal, validate


@pytest.fixture
def municipalities_dir(tmp_path, monkeypatch):
    """A copy of knowledge/municipalities/ to break on purpose."""
    folder = tmp_path / "municipalities"
    shutil.copytree(loader.MUNICIPALITY_DIR, folder)
    monkeypatch.setattr(loader, "MUNICIPALITY_DIR", folder)
    loader.municipalities.cache_clear()
    yield folder
    loader.municipalities.cache_clear()


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def problems_text() -> str:
    return "\n".join(map(str, validate.municipality_problems()))


def test_municipalities_the_three_examples_are_valid_and_differ():
    known = loader.municipalities()
    assert {"voorbeeldstad", "rivierdam", "heidebeek"} <= set(known)
    assert validate.municipality_problems() == []
    voorbeeld, rivier = known["voorbeeldstad"], known["rivierdam"]
    assert voorbeeld.openingstijden != rivier.openingstijden
    assert voorbeeld.taalcafes != rivier.taalcafes
    assert rivier.override("informeel_taalaanbod", "answer", "nl") and rivier.override("informeel_taalaanbod", "answer", "en")
    assert known["heidebeek"].webchat == "heidebeek" and rivier.kanalen["telegram_bot"]
    assert all(m.privacy["fg"] and m.plaatsen for m in known.values())
    assert loader.load_municipality("rivierdam") is rivier
    assert loader.load_municipality().id == loader.municipality_name()
    with pytest.raises(FileNotFoundError):
        loader.load_municipality("atlantis")


def test_municipality_schema_problems_are_reported_per_file(municipalities_dir):
    path = municipalities_dir / "rivierdam.yaml"
    edit(path, lambda d: (d.pop("privacy"), d["openingstijden"].update(zondag=["9:00", "17:00"])))
    text = problems_text()
    assert "knowledge/municipalities/rivierdam.yaml" in text or "rivierdam.yaml: (top level)" in text
    assert "'privacy' is a required property" in text
    assert "openingstijden/zondag/0" in text


def test_municipality_overrides_must_name_a_topic_a_language_and_known_placeholders(municipalities_dir):
    def change(data):
        data["overrides"]["geen_topic"] = {"answer": {"nl": "x"}}
        data["overrides"]["kosten"] = {"answer": {"xx": "Bel {{ gemeente.fax }}."}}

    edit(municipalities_dir / "rivierdam.yaml", change)
    text = problems_text()
    assert "overrides: 'geen_topic' is not a topic id" in text
    assert "overrides/kosten/answer: unknown language 'xx'" in text
    assert "overrides/kosten/answer/xx: unknown placeholder" in text


def test_municipality_ids_channels_and_places_name_one_municipality(municipalities_dir):
    def change(data):
        data["id"] = "anders"
        data["kanalen"] = {"webchat": "voorbeeldstad"}
        data["plaatsen"].append("Oud-Voorbeeld")

    edit(municipalities_dir / "heidebeek.yaml", change)
    text = problems_text()
    assert "id 'anders' differs from the file name 'heidebeek'" in text
    assert "webchat 'voorbeeldstad' is also used by municipality" in text
    assert "plaats 'oud-voorbeeld' is also used by municipality" in text


def test_municipal_overrides_report_lists_topics_and_languages(capsys):
    report = loader.overrides_report()
    assert report["rivierdam"] == {"informeel_taalaanbod": ["nl", "en"]}
    assert report["voorbeeldstad"] == {} and report["heidebeek"] == {}
    validate.print_overrides_report()
    out = capsys.readouterr().out
    assert "rivierdam        informeel_taalaanbod: nl, en" in out


def test_municipality_generated_files_do_not_depend_on_the_municipality(monkeypatch):
    monkeypatch.setenv("WEGWIJS_MUNICIPALITY", "voorbeeldstad")
    first = build.outputs()
    monkeypatch.setenv("WEGWIJS_MUNICIPALITY", "rivierdam")
    assert build.outputs() == first
    text = "".join(first.values())
    for municipality in loader.municipalities().values():
        assert municipality.team["telefoon"] not in text and municipality.website not in text
    assert "{{" not in text and "[[gemeente.telefoon]]" in first[build.OUT_FAQ_DOMAIN]
    slots = yaml.safe_load(first[build.OUT_MUNICIPALITY_DOMAIN])["slots"]
    assert slots["municipality"]["influence_conversation"] is False


def test_municipal_fill_uses_the_municipality_its_language_and_falls_back(monkeypatch):
    text = "Bel [[gemeente.telefoon]] of kijk op [[gemeente.website]].\n[[gemeente.openingstijden]]"
    rivier = loader.load_municipality("rivierdam")
    filled = municipal.fill(text, "rivierdam", "en")
    assert rivier.team["telefoon"] in filled and rivier.website in filled and "Thursday 08:30–20:00" in filled
    monkeypatch.setenv("WEGWIJS_MUNICIPALITY", "heidebeek")
    assert loader.load_municipality("heidebeek").website in municipal.fill(text, None, "nl")
    assert loader.load_municipality("heidebeek").website in municipal.fill(text, "atlantis", "nl")
    assert municipal.fill("no markers", "rivierdam", "nl") == "no markers"


def test_municipal_override_replaces_the_answer_per_language_only():
    national = build.answer_text(loader.load_faq("informeel_taalaanbod"), "nl")
    own_nl = municipal.override_answer("rivierdam", "informeel_taalaanbod", "nl")
    own_en = municipal.override_answer("rivierdam", "informeel_taalaanbod", "en")
    assert own_nl and own_nl != national and "[[gemeente.taalcafes]]" in own_nl
    assert own_en and own_en.startswith("Besides your lessons")
    assert municipal.override_answer("rivierdam", "informeel_taalaanbod", "tr") is None  # national Turkish
    assert municipal.override_answer("voorbeeldstad", "informeel_taalaanbod", "nl") is None
    assert municipal.override_answer("rivierdam", "kosten", "nl") is None
