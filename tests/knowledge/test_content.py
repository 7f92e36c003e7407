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


def test_every_faq_response_has_a_dutch_default_and_an_english_variation_with_a_source():
    domain = yaml.safe_load(build.outputs()[build.OUT_FAQ_DOMAIN])
    for topic in loader.topic_ids():
        en, nl = domain["responses"][f"utter_faq/{topic}"]
        assert en["condition"][0]["value"] == "en" and "Source: https://" in en["text"]
        assert "condition" not in nl and "Bron: https://" in nl["text"]
        assert 2 <= len(nl["buttons"]) <= 5


def test_municipality_placeholders_are_filled_in():
    domain = build.outputs()[build.OUT_FAQ_DOMAIN] + build.outputs()[build.OUT_DIALOGUE_DOMAIN]
    assert "{{" not in domain and not re.search(r"gemeente\.(naam|telefoon|email|website)", domain)
    assert loader.load_municipality().naam in domain


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


def test_a_missing_language_is_reported_with_the_file_and_field(kb):
    edit(kb / "faq" / "termijn.yaml", lambda d: d["answer"].pop("en"))
    text = messages(validate.validate())
    assert "faq/termijn.yaml" in text and "answer" in text and "'en' is a required property" in text


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
    domain = yaml.safe_load(build.outputs()[build.OUT_FAQ_DOMAIN])
    en, nl = domain["responses"][f"utter_faq/{topic}"]
    assert {"title": "Bereken mijn data", "payload": "/ask_deadlines"} in nl["buttons"]
    assert {"title": "Calculate my dates", "payload": "/ask_deadlines"} in en["buttons"]


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
