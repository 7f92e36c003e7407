"""rules.yaml and rules.py: every output key is one function, described once with its sources,
basis and parameters."""
from __future__ import annotations

import importlib
import inspect
import re
from datetime import date

import pytest

from knowledge.deadlines import label, rules
from knowledge.deadlines.dates import add_months, add_years
from knowledge.deadlines.labels import CHECK_KEYS, DATE_KEYS, PLANNING_KEYS, format_date
from knowledge.deadlines.ruleset import function_path, load_rules, parameter

OUTPUT_KEYS = ("law", *DATE_KEYS, *PLANNING_KEYS, *CHECK_KEYS, "warning_codes")


def test_rules_yaml_has_one_entry_per_contract_output_key() -> None:
    assert set(load_rules()) == set(OUTPUT_KEYS)
    assert len(OUTPUT_KEYS) == 17


def _resolve(path: str):  # noqa: ANN202
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name, None)


@pytest.mark.parametrize("key", OUTPUT_KEYS)
def test_every_rule_in_rules_yaml_names_an_existing_function_registered_for_its_key(key: str) -> None:
    function = _resolve(function_path(key))
    assert callable(function), function_path(key)
    assert rules.RULES[key].function is function
    assert rules.RULES[key].path == function_path(key)
    assert rules.RULES[key].kind == load_rules()[key]["kind"]


def test_every_registered_rule_function_is_named_in_rules_yaml() -> None:
    assert set(rules.RULES) == set(load_rules())
    named = {function_path(key) for key in load_rules()}
    assert {rule.path for rule in rules.RULES.values()} == named


def test_rules_yaml_holds_no_formula_strings_that_pretend_to_be_code() -> None:
    for key, rule in load_rules().items():
        assert "formula" not in rule, key
        assert not re.search(r"\b(if|else|max|min|add_years|add_months)\(|>=|<=", rule["description"]), key


def test_each_rule_function_is_small_and_documented() -> None:
    for key, rule in rules.RULES.items():
        source = inspect.getsource(rule.function)
        assert rule.function.__doc__ or key in {"mvv_collect_by", "enter_nl_by", "health_insurance_by",
                                                 "permanent_residence_earliest", "loan_repayment_start"}, key
        assert len(source.splitlines()) <= 30, key


def test_rules_run_after_the_rules_they_need() -> None:
    order = rules.evaluation_order()
    assert sorted(order) == sorted(rules.RULES)
    for key, rule in rules.RULES.items():
        assert all(order.index(needed) < order.index(key) for needed in rule.needs), key
    assert order[-1] == "warning_codes"


@pytest.mark.parametrize("key", OUTPUT_KEYS)
def test_each_rule_has_facts_confidence_and_a_legal_basis_or_a_note(key: str) -> None:
    rule = load_rules()[key]
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
        ("verlenging_routes_without_hours_ground", ["z"]),
        ("afschalen_routes", ["b1"]),
    ],
)
def test_parameters_in_force_in_2025(name: str, value: object) -> None:
    assert parameter(name, date(2025, 1, 1)) == value


def test_a_parameter_before_its_first_valid_from_uses_the_first_value() -> None:
    assert parameter("termijn_years", date(2020, 1, 1)) == 3


@pytest.mark.parametrize("key", (*OUTPUT_KEYS, "extended_end"))
def test_every_key_has_a_dutch_and_an_english_label(key: str) -> None:
    assert label(key, "nl") != label(key, "en")


def test_a_label_in_a_language_without_it_falls_back_to_dutch() -> None:
    assert label("termijn_end", "fr") == label("termijn_end", "nl") == label("termijn_end", "xx")
    assert label("termijn_end", "tr") != label("termijn_end", "nl")


def test_the_end_of_the_term_is_labelled_in_plain_words() -> None:
    assert label("termijn_end", "nl") == "Einde van uw inburgeringstermijn"
    assert label("termijn_end", "en") == "End of your integration term"


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (date(2027, 5, 12), "nl", "12 mei 2027"),
        (date(2027, 5, 12), "en", "12 May 2027"),
        ("2027-03-01", "nl", "1 maart 2027"),
        (date(2026, 10, 31), "fr", "31 oktober 2026"),
        (date(2026, 10, 31), "tr", "31 Ekim 2026"),
        (date(2026, 8, 3), "pt", "3 de agosto de 2026"),
        (date(2026, 5, 1), "ar", "1 مايو 2026"),
        (date(2026, 5, 1), None, "1 mei 2026"),
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


# --- Legal references: which ones a source confirms, and how that is checked -----------------

# (rule, law, article, lid) of every legal reference that a fact-sheet row (HIGH/SEED) or an
# original document confirms. All other references stay `checked: false` with a note.
CONFIRMED_REFERENCES = {
    ("law", "Wet inburgering 2021", None, None),
    ("termijn_start", "Wet inburgering 2021", "11", "2"),
    ("termijn_start", "Wet inburgering 2021", "11", "3"),
    ("termijn_end", "Wet inburgering 2021", "11", "1"),
    ("verlenging_earliest", "Wet inburgering 2021", "12", None),
    ("verlenging_earliest", "Besluit inburgering 2021", "4.3", None),
    ("mvv_collect_by", "Vreemdelingencirculaire 2000 (B)", "B1/3.3.4", None),
    ("enter_nl_by", "Vreemdelingencirculaire 2000 (B)", "B1/3.3.4", None),
    ("loan_repayment_start", "Wet inburgering 2021", "20", None),
    ("verlenging_hours_ground", "Wet inburgering 2021", "12", None),
    ("termijn_status", "Wet inburgering 2021", "11", "1"),
}


def _references():
    for key, rule in load_rules().items():
        for basis in rule["legal_basis"]:
            yield key, basis


def test_only_the_references_a_source_confirms_are_marked_checked() -> None:
    checked = {(k, b["law"], b["article"], b["lid"]) for k, b in _references() if b["checked"]}
    assert checked == CONFIRMED_REFERENCES


@pytest.mark.parametrize(
    ("key", "basis"),
    list(_references()),
    ids=[f"{k} {b['law']} {b['article'] or ''} {b['lid'] or ''}".strip() for k, b in _references()],
)
def test_a_checked_reference_names_where_it_was_confirmed_and_an_unchecked_one_says_why(key, basis) -> None:
    if basis["checked"]:
        assert basis["checked_in"]
        for evidence in basis["checked_in"]:
            file = evidence["file"]
            assert file == "knowledge/facts/wi2021-facts.md" or file.startswith("shared/sources/")
            assert evidence["line"] >= 1 and evidence["quote"]
    else:
        assert "checked_in" not in basis
        assert any(where in basis["check_note"] for where in ("wetten.overheid.nl", "IND", "DUO"))


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A copy of rules.yaml that the validator reads, to break on purpose."""
    from knowledge import validate

    path = tmp_path / "rules.yaml"
    path.write_text(validate.RULES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(validate, "RULES_PATH", path)
    return path


def _rule_problems() -> str:
    from knowledge import loader, validate

    return "\n".join(str(p) for p in validate.rules_problems(loader.load_fact_rows()))


def test_the_rules_file_passes_the_validator() -> None:
    assert _rule_problems() == ""


def test_a_checked_reference_without_checked_in_is_reported(rules_copy) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    start = text.rindex("\n", 0, text.index("checked_in:", text.index("  loan_repayment_start:"))) + 1
    end = text.rindex("\n", 0, text.index("check_note:", start)) + 1
    rules_copy.write_text(text[:start] + text[end:], encoding="utf-8")
    assert "'checked_in' is a required property" in _rule_problems()


def test_an_unchecked_reference_without_a_note_is_reported(rules_copy) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    start = text.rindex("\n", 0, text.index("check_note:", text.index("  health_insurance_by:"))) + 1
    end = text.index("    parameters:", start)
    rules_copy.write_text(text[:start] + text[end:], encoding="utf-8")
    assert "'check_note' is a required property" in _rule_problems()


def test_a_quote_that_is_not_on_the_cited_line_is_reported(rules_copy) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    rules_copy.write_text(text.replace('quote: "Legal basis: Wi2021 art. 20 (RO-lening)"',
                                       'quote: "Legal basis: Wi2021 art. 21 (RO-lening)"'), encoding="utf-8")
    assert "the quote is not on knowledge/facts/wi2021-facts.md line 178" in _rule_problems()


def test_an_unverified_fact_row_does_not_confirm_a_reference(rules_copy) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    confirmed = re.compile(r'line: 243\n( +)row: "10.1"\n +quote: "[^"\n]*"')
    unverified = r'line: 102\n\1row: "1.10"\n\1quote: "consolidation dated 2025-10-21"'
    broken = confirmed.sub(unverified, text)
    assert broken != text
    rules_copy.write_text(broken, encoding="utf-8")
    assert "row 1.10 is UNVERIFIED; only HIGH or SEED rows confirm" in _rule_problems()


def test_an_unknown_fact_row_in_a_rule_is_reported(rules_copy) -> None:
    text = rules_copy.read_text(encoding="utf-8")
    rules_copy.write_text(text.replace('facts: ["7.10"]', 'facts: ["7.99"]'), encoding="utf-8")
    assert "health_insurance_by: facts: unknown fact-sheet row '7.99'" in _rule_problems()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_naturalisation_and_permanent_residence_warnings_send_people_to_the_ind(lang) -> None:
    from knowledge.deadlines.labels import warning_text

    naturalisation = warning_text("naturalisation_conditions", lang)
    assert ("meestal" if lang == "nl" else "usually") in naturalisation
    for code in ("naturalisation_conditions", "permanent_residence_conditions"):
        assert "IND" in warning_text(code, lang)
