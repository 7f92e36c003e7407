"""The knowledge base is complete and valid, and the validator explains each kind of problem."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from knowledge import build, loader, validate


def test_the_knowledge_base_has_no_problems():
    problems = validate.validate()
    assert problems == [], "\n".join(map(str, problems))


def test_every_catalogue_topic_has_a_file_with_enough_examples_in_both_languages():
    faqs = loader.load_faqs()
    assert sorted(faqs) == sorted(loader.topic_ids())
    for faq in faqs.values():
        assert len(faq.examples["nl"]) >= 20 and len(faq.examples["en"]) >= 10, faq.id
        assert faq.test_examples["nl"] and faq.test_examples["en"], faq.id
        assert faq.sources and all(s["url"].startswith("https://") for s in faq.sources), faq.id


def test_the_generated_rasa_files_are_up_to_date():
    stale = build.stale_files()
    assert stale == [], f"run `python -m knowledge.build`: {stale}"


def test_generated_files_say_they_are_generated():
    for path, text in build.outputs().items():
        assert text.startswith("# GENERATED from knowledge/"), path


def faq_variations(topic: str) -> dict[str, dict]:
    """The generated response variations of one topic, keyed by language (nl: the default)."""
    domain = yaml.safe_load(build.outputs()[build.OUT_FAQ_DOMAIN])
    variations = domain["responses"][f"utter_faq/{topic}"]
    return {(v["condition"][0]["value"] if "condition" in v else "nl"): v for v in variations}


def test_every_faq_response_has_a_dutch_default_last_and_a_variation_per_language_with_a_source():
    domain = yaml.safe_load(build.outputs()[build.OUT_FAQ_DOMAIN])
    for topic in loader.topic_ids():
        variations = domain["responses"][f"utter_faq/{topic}"]
        assert "condition" not in variations[-1] and "Bron: https://" in variations[-1]["text"]
        assert all("condition" in v for v in variations[:-1])
        by_lang = faq_variations(topic)
        assert "Source: https://" in by_lang["en"]["text"]
        assert 2 <= len(by_lang["nl"]["buttons"]) <= 5


def test_an_unchecked_translation_says_so_in_its_language_and_offers_the_dutch_text():
    by_lang = faq_variations("termijn")
    assert "not yet been checked by a translator" in by_lang["en"]["text"]
    assert {"title": "Show the Dutch text", "payload": '/show_dutch{"faq_topic": "termijn"}'} in by_lang["en"]["buttons"]
    # the Dutch source never carries the note
    assert "vertaler" not in by_lang["nl"]["text"]
    assert not any(b["payload"].startswith("/show_dutch") for b in by_lang["nl"]["buttons"])


def test_a_reviewed_translation_loses_the_note_until_the_dutch_changes(tmp_path, monkeypatch):
    from knowledge import translations

    i18n = tmp_path / "i18n"
    shutil.copytree(translations.I18N_DIR, i18n)
    monkeypatch.setattr(translations, "I18N_DIR", i18n)
    path = i18n / "en" / "faq" / "termijn.yaml"
    data = translations.read(path)
    data["translation"].update(reviewed_by="A. Vertaler", reviewed_on="2026-12-07")
    path.write_text(translations.dump_yaml(data), encoding="utf-8")
    assert translations.faq_checked("en", "termijn")
    faq = loader.load_faqs()["termijn"]
    assert not build.needs_check_note(faq, "en")
    # the Dutch text changes: the review no longer counts, the translation is stale
    data["translation"]["from_nl"] = "000000000000"
    path.write_text(translations.dump_yaml(data), encoding="utf-8")
    assert not translations.faq_checked("en", "termijn")
    assert "faq/termijn" in translations.status("en")["stale"]


def test_municipality_placeholders_become_send_time_markers():
    domain = build.outputs()[build.OUT_FAQ_DOMAIN] + build.outputs()[build.OUT_DIALOGUE_DOMAIN]
    assert "{{" not in domain and not re.search(r"\{gemeente", domain)
    assert "[[gemeente.naam]]" in domain and loader.load_municipality().naam not in domain


@pytest.fixture
def kb(tmp_path, monkeypatch):
    """A copy of the knowledge files the validator reads, to break on purpose."""
    for name in ("faq", "intents"):
        shutil.copytree(getattr(loader, f"{'FAQ' if name == 'faq' else 'INTENT'}_DIR"), tmp_path / name)
    monkeypatch.setattr(loader, "FAQ_DIR", tmp_path / "faq")
    monkeypatch.setattr(loader, "INTENT_DIR", tmp_path / "intents")
    return tmp_path


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def messages(problems):
    return "\n".join(str(p) for p in problems)


def test_a_missing_dutch_source_text_is_reported_with_the_file_and_field(kb):
    edit(kb / "faq" / "termijn.yaml", lambda d: d["answer"].pop("nl"))
    text = messages(validate.validate())
    assert "faq/termijn.yaml" in text and "answer" in text and "'nl' is a required property" in text


def test_a_missing_source_is_reported(kb):
    edit(kb / "faq" / "kosten.yaml", lambda d: d.update(sources=[]))
    assert "kosten.yaml: sources" in messages(validate.validate())


def test_an_unknown_fact_row_is_reported(kb):
    edit(kb / "faq" / "boete.yaml", lambda d: d["facts"].append("99.9"))
    assert "unknown fact-sheet row '99.9'" in messages(validate.validate())


def test_an_example_used_by_two_topics_is_reported(kb):
    shared = loader.load_faqs()["termijn"].examples["nl"][0]
    edit(kb / "faq" / "boete.yaml", lambda d: d["examples"]["nl"].append(shared))
    assert "faq/boete, faq/termijn" in messages(validate.validate())


def test_stray_curly_braces_and_unknown_placeholders_are_reported(kb):
    edit(kb / "faq" / "pip.yaml", lambda d: d["answer"].update(nl=d["answer"]["nl"] + " {slot} {{ gemeente.fax }}"))
    text = messages(validate.validate())
    assert "curly braces" in text and "unknown placeholder" in text


def test_a_missing_topic_file_is_reported(kb):
    (kb / "faq" / "pvt.yaml").unlink()
    assert "missing topic file pvt.yaml" in messages(validate.validate())


@pytest.mark.parametrize("topic", ["termijn", "verlenging", "afschalen"])
def test_the_rule_answers_offer_to_calculate_the_persons_own_dates(topic):
    by_lang = faq_variations(topic)
    assert {"title": "Bereken mijn data", "payload": "/ask_deadlines"} in by_lang["nl"]["buttons"]
    assert {"title": "Calculate my dates", "payload": "/ask_deadlines"} in by_lang["en"]["buttons"]


# --- Claims that no fact-sheet row or source document supports are not stated as fact -------

def test_the_work_answer_does_not_claim_that_no_work_permit_is_needed_and_says_where_to_check():
    faq = loader.load_faqs()["werken"]
    nl, en = faq.answer["nl"], faq.answer["en"]
    assert "geen werkvergunning nodig" not in nl and "not need a work permit" not in en
    assert "niet zeker" in nl and "not say that for sure" in en
    for word in ("IND", "verblijfspas", "regievoerder"):
        assert word in nl
    for word in ("IND", "residence card", "regievoerder"):
        assert word in en
    assert faq.sources[0]["url"].startswith("https://ind.nl/")


@pytest.mark.parametrize(
    ("topic", "unsupported"),
    [
        ("examens", "nieuw sinds 1 juli 2025"),
        ("leerbaarheidstoets", "niet voor te leren"),
        ("niet_kunnen_betalen", "gratis"),
        ("naturalisatie", "deze termijnen"),
        ("verblijfsvergunning", "Hij is maximaal 5 jaar geldig"),
        ("referent_plichten", "Na aankomst binnen 4 weken"),
        ("boete", "krijgt u nieuwe tijd"),
    ],
    ids=[
        "the KNM exam was renewed in 2025, not new",
        "nothing says you need not prepare for the leerbaarheidstoets",
        "nothing says extra practice is free",
        "only the 5-year naturalisation term has a 10-year proposal",
        "the 5-year validity of the partner permit is hedged and points to the card",
        "the referent reports within 4 weeks of collecting the mvv or permit, not of arrival",
        "the extra time after a fine is not stated as certain",
    ],
)
def test_an_unsupported_claim_is_not_in_the_answer(topic, unsupported):
    assert unsupported not in loader.load_faqs()[topic].answer["nl"]
