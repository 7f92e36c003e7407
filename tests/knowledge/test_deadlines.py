"""The deadline engine against its sentence-named cases and the public contract examples."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.deadlines import FIELD_NAMES, InvalidInput, compute, parse_inputs, warning_texts
from knowledge.deadlines.ruleset import CASES_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_DEADLINES = REPO_ROOT.parent / "shared" / "eval" / "dev-deadlines.yml"


def iso(value: Any) -> Any:
    """YAML turns bare dates into `date`; the engine answers with ISO strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso(item) for item in value]
    return value


CASES = yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))


def test_case_names_are_unique_sentences() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    assert all(name[0].isupper() or name[0].isdigit() for name in names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict[str, Any]) -> None:
    expected = iso(case["expected"])
    inputs = case["input"]
    if "error" in expected:
        with pytest.raises(InvalidInput) as info:
            compute(inputs, today=case["reference_date"])
        assert info.value.field == expected["error"]["field"]
        assert info.value.code == expected["error"]["code"]
        assert info.value.message_nl and info.value.message_en
        return

    result = compute(inputs, today=case["reference_date"])
    if "law" in expected:
        assert result.get("law") == expected["law"]
    for key, value in expected.get("dates", {}).items():
        assert result["dates"].get(key) == value, key
    if expected.get("dates") == {}:
        assert result["dates"] == {}
    for key, value in expected.get("checks", {}).items():
        assert result["checks"].get(key) == value, key
    if expected.get("checks") == {}:
        assert result["checks"] == {}
    for key in expected.get("absent", []):
        if key == "law":
            assert "law" not in result
        else:
            assert key not in result["dates"] and key not in result["checks"]
    for code in expected.get("warning_codes", []):
        assert code in result["warning_codes"]
    for code in expected.get("no_warning_codes", []):
        assert code not in result["warning_codes"]


def _dev_examples() -> list[Any]:
    if not DEV_DEADLINES.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{DEV_DEADLINES} is missing"))]
    examples = yaml.safe_load(DEV_DEADLINES.read_text(encoding="utf-8"))
    return [pytest.param(i, example, id=f"dev example {i}") for i, example in enumerate(examples, 1)]


# The dev examples were written against contract version 1. Version 2 changes two things in them:
# 1. every example with a PIP date (Wi2021) gains `checks.termijn_status` (new key; the state
#    and days from termijn_end and the example's today);
# 2. example 6: the partner route to naturalisation never starts before residence_start, so
#    2019-06-15 + 3 years = 2022-06-15 becomes the residence start 2023-01-10.
V2_TERMIJN_STATUS = {
    1: ("running", 171), 2: ("running", 637), 8: ("running", 443), 9: ("passed", -908),
    10: ("passed", -1203), 11: ("running", 1023), 12: ("passed", -264), 13: ("passed", -28),
    14: ("passed", -517), 15: ("running", 288), 16: ("running", 759), 17: ("running", 821),
    18: ("passed", -507), 19: ("running", 995), 20: ("passed", -738),
}
V2_DATES = {6: {"naturalisation_earliest": "2023-01-10"}}


def v2_expectation(number: int, example: dict[str, Any]) -> dict[str, Any]:
    expect = iso(example["expect"])
    if number in V2_TERMIJN_STATUS:
        state, days_left = V2_TERMIJN_STATUS[number]
        expect["checks"] = {"termijn_status": {"state": state, "days_left": days_left}, **expect["checks"]}
    expect["dates"] = {**expect["dates"], **V2_DATES.get(number, {})}
    return expect


def test_every_dev_example_with_a_pip_date_and_only_those_gain_a_term_status() -> None:
    examples = yaml.safe_load(DEV_DEADLINES.read_text(encoding="utf-8")) if DEV_DEADLINES.exists() else []
    with_pip = {i for i, example in enumerate(examples, 1) if "pip_date" in example["input"]}
    assert with_pip == set(V2_TERMIJN_STATUS) or not examples


@pytest.mark.parametrize(("number", "example"), _dev_examples())
def test_public_contract_example_gives_its_version_2_result(number: int, example: dict[str, Any]) -> None:
    result = compute(example["input"])
    expect = v2_expectation(number, example)
    assert result.get("law") == expect.get("law")
    assert result["dates"] == expect["dates"]
    assert result["checks"] == expect["checks"]


def test_result_has_exactly_the_contract_keys_plus_warning_codes() -> None:
    result = compute({"plicht_start": "2023-01-01", "pip_date": "2023-02-01"}, today=date(2024, 1, 1))
    assert set(result) == {"law", "dates", "checks", "sources", "warnings", "warning_codes"}
    assert all(isinstance(text, str) for text in result["warnings"])
    assert len(result["warnings"]) == len(result["warning_codes"])


def test_every_result_key_names_its_fact_sheet_rows() -> None:
    result = compute(
        {
            "plicht_start": "2023-01-01", "pip_date": "2023-02-01", "hours_bow": 500, "exams_passed": 2,
            "mvv_decision_date": "2022-09-01", "mvv_issue_date": "2022-10-01", "arrival_date": "2022-11-01",
            "partner_dutch": True, "relationship_start": "2020-01-01", "residence_start": "2022-11-01",
            "klaar_date": "2025-01-01",
        },
        today=date(2025, 9, 1),
    )
    assert len(result["dates"]) == 10
    assert set(result["checks"]) == {"termijn_status", "verlenging_hours_ground", "afschalen"}
    assert set(result["sources"]) == {"law", *result["dates"], *result["checks"]}
    assert all(result["sources"][key] for key in result["sources"])


def test_today_inside_the_inputs_wins_over_the_argument() -> None:
    inputs = {"pip_date": "2024-05-12", "hours_bow": 450, "exams_passed": 2, "today": "2026-11-13"}
    assert compute(inputs, today=date(2026, 11, 12))["checks"]["verlenging_hours_ground"]["eligible"] is True


def test_without_any_today_the_current_amsterdam_date_is_used() -> None:
    result = compute({"pip_date": "2024-05-12", "hours_bow": 450, "exams_passed": 2})
    assert "verlenging_hours_ground" in result["checks"]


def test_parse_inputs_accepts_date_objects_and_iso_strings_alike() -> None:
    assert parse_inputs({"pip_date": date(2024, 5, 12)}) == parse_inputs({"pip_date": "2024-05-12"})


def test_parse_inputs_treats_none_and_empty_strings_as_not_given() -> None:
    assert parse_inputs({"pip_date": None, "route": "", "hours_bow": "450"}) == {"hours_bow": 450}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("B1-route", "b1"), ("Z", "z"), ("onderwijsroute", "onderwijs"), ("Education route", "onderwijs")],
)
def test_route_names_are_normalised(raw: str, expected: str) -> None:
    assert parse_inputs({"route": raw})["route"] == expected


@pytest.mark.parametrize("raw", [True, "ja", "yes", "true", 1])
def test_partner_dutch_accepts_yes_in_both_languages(raw: Any) -> None:
    assert parse_inputs({"partner_dutch": raw})["partner_dutch"] is True


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        ({"pip_date": "2025-02-30"}, "pip_date", "invalid_date"),
        ({"arrival_date": "gisteren"}, "arrival_date", "invalid_date"),
        ({"klaar_date": 20250101}, "klaar_date", "invalid_date"),
        ({"hours_bow": True}, "hours_bow", "not_a_number"),
        ({"hours_bow": float("nan")}, "hours_bow", "not_a_number"),
        ({"hours_bow_online": -5}, "hours_bow_online", "negative"),
        ({"exams_passed": 2.5}, "exams_passed", "exams_range"),
        ({"exams_passed": "twee"}, "exams_passed", "not_a_number"),
        ({"partner_dutch": "misschien"}, "partner_dutch", "not_boolean"),
    ],
)
def test_bad_input_names_the_field(raw: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_inputs(raw)
    assert (info.value.field, info.value.code) == (field, code)
    assert field in str(info.value)


def test_invalid_input_is_a_value_error_with_messages_in_both_languages() -> None:
    with pytest.raises(ValueError) as info:
        compute({"pip_date": "2025-02-30"})
    error = info.value
    assert isinstance(error, InvalidInput)
    assert "PIP" in error.message_nl and "PIP" in error.message_en
    assert error.message("nl") == error.message_nl != error.message_en
    assert error.message("xx") == error.message_nl  # a language Wegwijs does not speak: Dutch
    assert error.message("tr") not in (error.message_nl, error.message_en)


def test_field_names_are_the_contract_inputs_of_version_1_and_2() -> None:
    assert set(FIELD_NAMES) == {
        "today", "plicht_start", "pip_date", "route", "hours_bow", "hours_bow_online", "exams_passed",
        "mvv_decision_date", "mvv_issue_date", "arrival_date", "partner_dutch", "relationship_start",
        "residence_start", "klaar_date", "marriage_date", "cohabitation_start", "hours_per_week",
    }


def test_warnings_are_dutch_by_default_and_in_the_language_asked_for() -> None:
    result = compute({"plicht_start": "2021-11-15"}, today=date(2025, 1, 1))
    assert result["warning_codes"] == ["wi2013"]
    (dutch,) = result["warnings"]
    assert "DUO" in dutch and "Wet inburgering 2013" in dutch and "Uw inburgeringsplicht" in dutch
    english = compute({"plicht_start": "2021-11-15"}, today=date(2025, 1, 1), lang="en")["warnings"]
    assert english == warning_texts(result, "en") and english[0].startswith("Your integration duty")
    assert compute({"plicht_start": "2021-11-15", "lang": "en"}, today=date(2025, 1, 1))["warnings"] == english


@pytest.mark.parametrize("lang", ["fr", "xx", "", None])
def test_warnings_in_a_language_without_these_texts_fall_back_to_dutch(lang: Any) -> None:
    result = compute({"plicht_start": "2021-11-15"}, today=date(2025, 1, 1))
    assert warning_texts(result, lang) == warning_texts(result, "nl")


def test_warning_codes_stand_beside_the_warnings_in_the_same_order() -> None:
    result = compute(
        {"plicht_start": "2021-12-20", "pip_date": "2022-02-01", "hours_bow": 300, "hours_per_week": 6,
         "exams_passed": 1, "route": "z"},
        today=date(2025, 6, 1), lang="en",
    )
    codes = result["warning_codes"]
    assert codes[:4] == ["estimate", "law_conflict", "law_border_case", "termijn_passed"]
    assert result["warnings"] == [warning_texts({"warning_codes": [code]}, "en")[0] for code in codes]
    assert len(set(codes)) == len(codes)


def test_a_relationship_start_means_married_and_living_together_since_that_date() -> None:
    old = compute({"partner_dutch": True, "relationship_start": "2020-04-01", "residence_start": "2019-01-01"},
                  today=date(2025, 1, 1))
    new = compute({"partner_dutch": True, "marriage_date": "2020-04-01", "cohabitation_start": "2020-04-01",
                   "residence_start": "2019-01-01"}, today=date(2025, 1, 1))
    assert old == new
    assert old["dates"]["naturalisation_earliest"] == "2023-04-01"


@pytest.mark.parametrize(
    ("hours_per_week", "code"), [(40.01, "above_max"), (41, "above_max"), (-0.5, "negative"), ("veel", "not_a_number")]
)
def test_hours_per_week_above_40_or_negative_is_refused_naming_the_field(hours_per_week: Any, code: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_inputs({"hours_per_week": hours_per_week})
    assert (info.value.field, info.value.code) == ("hours_per_week", code)
    assert "per week" in info.value.message("nl") and "per week" in info.value.message("en")
