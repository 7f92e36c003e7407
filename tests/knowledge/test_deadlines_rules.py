"""rules.yaml: every output key is described once, with its sources, basis and parameters."""
from __future__ import annotations

from datetime import date

import pytest

from knowledge.deadlines import label
from knowledge.deadlines.dates import add_months, add_years
from knowledge.deadlines.labels import CHECK_KEYS, DATE_KEYS, format_date
from knowledge.deadlines.ruleset import load_rules, parameter

OUTPUT_KEYS = ("law", *DATE_KEYS, *CHECK_KEYS)


def test_rules_yaml_has_one_entry_per_contract_output_key() -> None:
    assert set(load_rules()) == set(OUTPUT_KEYS)
    assert len(OUTPUT_KEYS) == 13


@pytest.mark.parametrize("key", OUTPUT_KEYS)
def test_each_rule_has_titles_facts_confidence_and_a_legal_basis_or_a_note(key: str) -> None:
    rule = load_rules()[key]
    assert rule["title"]["nl"] and rule["title"]["en"]
    assert rule["description"] and rule["facts"]
    assert rule["confidence"] in {"HIGH", "SEED", "MED", "LOW", "UNVERIFIED"}
    assert rule["legal_basis"] or rule.get("basis_note")
    for basis in rule["legal_basis"]:
        assert {"law", "bwb_id", "article", "lid", "url", "juriconnect", "explanation", "checked"} <= set(basis)
        assert basis["url"].startswith("https://")
        if basis["bwb_id"]:
            assert basis["bwb_id"].startswith("BWBR") and basis["bwb_id"] in basis["url"]
    for spec in (rule.get("parameters") or {}).values():
        assert spec["description"] and spec["unit"] and spec["values"]
        for entry in spec["values"].values():
            assert "value" in entry and entry["reference"]


def test_wi2021_rules_cite_the_wet_inburgering_2021() -> None:
    termijn = load_rules()["termijn_end"]["legal_basis"][0]
    assert termijn["bwb_id"] == "BWBR0044770" and termijn["article"] == "11"
    assert termijn["url"].startswith("https://wetten.overheid.nl/")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("termijn_years", 3),
        ("verlenging_after_months", 30),
        ("verlenging_min_hours", 450),
        ("verlenging_min_exams", 2),
        ("verlenging_max_extension_months", 6),
        ("afschalen_min_hours", 600),
        ("afschalen_min_in_class_hours", 300),
        ("enter_nl_days", 90),
        ("loan_repayment_delay_months", 6),
    ],
)
def test_parameters_in_force_in_2025(name: str, value: int) -> None:
    assert parameter(name, date(2025, 1, 1)) == value


def test_a_parameter_before_its_first_valid_from_uses_the_first_value() -> None:
    assert parameter("termijn_years", date(2020, 1, 1)) == 3


@pytest.mark.parametrize("key", (*DATE_KEYS, *CHECK_KEYS, "extended_end"))
def test_every_key_has_a_dutch_and_an_english_label(key: str) -> None:
    assert label(key, "nl") != label(key, "en")


def test_the_end_of_the_term_is_labelled_in_plain_words() -> None:
    assert label("termijn_end", "nl") == "Einde van uw inburgeringstermijn"
    assert label("termijn_end", "en") == "End of your integration term"


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (date(2027, 5, 12), "nl", "12 mei 2027"),
        (date(2027, 5, 12), "en", "12 May 2027"),
        ("2027-03-01", "nl", "1 maart 2027"),
        (date(2026, 10, 31), "fr", "31 October 2026"),
    ],
)
def test_format_date_writes_the_month_in_words(value: date | str, lang: str, text: str) -> None:
    assert format_date(value, lang) == text


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2026, 8, 31), -2, date(2026, 6, 30)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
    ],
    ids=[
        "31 August 2024 plus 6 months is 28 February 2025",
        "31 August 2023 plus 6 months is the leap day 29 February 2024",
        "31 August minus 2 months is 30 June",
        "31 January 2024 plus 1 month is 29 February 2024",
        "A month added in December moves to January of the next year",
        "A month taken away in January moves to December of the year before",
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_29_february_plus_one_year_is_28_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
