"""Dates and numbers as people type them in chat (knowledge/dateparse.py)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.dateparse import explain_invalid, find_dates, parse_date, parse_int
from knowledge.deadlines.labels import MONTHS

TODAY = date(2025, 6, 15)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("12 mei 2024", "nl", date(2024, 5, 12)),
        ("12 Mei 2024", "nl", date(2024, 5, 12)),
        ("12-5-24", "nl", date(2024, 5, 12)),
        ("12/05/2024", "nl", date(2024, 5, 12)),
        ("12.05.2024", "nl", date(2024, 5, 12)),
        ("2024-05-12", "nl", date(2024, 5, 12)),
        ("May 12th 2024", "en", date(2024, 5, 12)),
        ("May 12, 2024", "en", date(2024, 5, 12)),
        ("12 May 2024", "en", date(2024, 5, 12)),
        ("12th of May 2024", "en", date(2024, 5, 12)),
        ("12e mei 2024", "nl", date(2024, 5, 12)),
        ("12 mei '24", "nl", date(2024, 5, 12)),
        ("1 okt. 2024", "nl", date(2024, 10, 1)),
        ("29-2-24", "nl", date(2024, 2, 29)),
        ("12 May 2024", "nl", date(2024, 5, 12)),
        ("12 mei 2024", "en", date(2024, 5, 12)),
    ],
    ids=lambda value: str(value),
)
def test_an_absolute_date_is_read_day_first(text: str, lang: str, expected: date) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 setpember 2024", date(2024, 9, 12)),
        ("12 febuari 2024", date(2024, 2, 12)),
        ("12 agustus 2024", date(2024, 8, 12)),
        ("3 decmber 2023", date(2023, 12, 3)),
    ],
)
def test_a_misspelled_month_name_is_still_understood(text: str, expected: date) -> None:
    parsed = parse_date(text, TODAY, "nl")
    assert parsed is not None and parsed.value == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("gisteren", "nl", date(2025, 6, 14)),
        ("yesterday", "en", date(2025, 6, 14)),
        ("vorige maand", "nl", date(2025, 5, 15)),
        ("last month", "en", date(2025, 5, 15)),
        ("3 maart vorig jaar", "nl", date(2024, 3, 3)),
        ("3 March last year", "en", date(2024, 3, 3)),
        ("2 weken geleden", "nl", date(2025, 6, 1)),
        ("12 mei", "nl", date(2025, 5, 12)),
    ],
)
def test_a_date_that_depends_on_today_is_marked_relative_so_the_chat_confirms_it(
    text: str, lang: str, expected: date
) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is True


@pytest.mark.parametrize("text", ["30-02-2025", "2025-02-30", "31-04-2024", "mei 2024", "hallo", "300", "ja", ""])
def test_something_that_is_not_one_real_date_gives_none(text: str) -> None:
    assert parse_date(text, TODAY, "nl") is None


def test_a_date_is_found_inside_a_longer_dutch_message() -> None:
    found = find_dates("mijn pip is van 12 mei 2024 en ik heb 300 uur", TODAY, "nl")
    assert [(item.value, item.matched) for item in found] == [(date(2024, 5, 12), "12 mei 2024")]


def test_several_dates_are_found_in_order_in_an_english_message() -> None:
    text = "I arrived on 3 June 2023, my PIP is dated 12/05/2024 and the decision came last month"
    found = find_dates(text, TODAY, "en")
    assert [item.value for item in found] == [date(2023, 6, 3), date(2024, 5, 12), date(2025, 5, 15)]
    assert [item.relative for item in found] == [False, False, True]


def test_parse_date_falls_back_to_the_first_date_in_a_sentence() -> None:
    parsed = parse_date("Mijn PIP is van 12 mei 2024.", TODAY, "nl")
    assert parsed is not None and parsed.value == date(2024, 5, 12) and parsed.matched == "12 mei 2024"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("300", 300),
        ("ik heb 300 uur", 300),
        ("ongeveer 450 uren", 450),
        ("1.200 uur", 1200),
        ("twee", 2),
        ("two exams", 2),
        ("Drie examens", 3),
        ("geen", 0),
        ("weet ik niet", None),
        ("", None),
    ],
)
def test_parse_int_reads_digits_and_simple_number_words(text: str, expected: int | None) -> None:
    assert parse_int(text) == expected


def test_an_impossible_date_is_explained_with_an_example_in_dutch() -> None:
    text = explain_invalid("30-02-2025", "nl")
    assert "februari" in text and "30" in text and "12 mei 2024" in text


def test_an_unreadable_date_is_explained_with_an_example_in_english() -> None:
    text = explain_invalid("blabla", "en")
    assert "12 May 2024" in text and "day-month-year" in text


def _styles(d: date) -> list[tuple[str, str]]:
    nl, en = MONTHS["nl"][d.month - 1], MONTHS["en"][d.month - 1]
    return [
        (d.isoformat(), "nl"),
        (f"{d.day:02d}-{d.month:02d}-{d.year}", "nl"),
        (f"{d.day}/{d.month}/{d.year}", "en"),
        (f"{d.day}.{d.month:02d}.{d.year}", "nl"),
        (f"{d.day} {nl} {d.year}", "nl"),
        (f"{d.day} {en} {d.year}", "en"),
        (f"{en} {d.day}, {d.year}", "en"),
        (f"{d.day}-{d.month}-{d.year % 100:02d}", "nl"),
    ]


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31)))
def test_a_date_written_in_any_supported_style_parses_back_to_itself(d: date) -> None:
    for text, lang in _styles(d):
        parsed = parse_date(text, TODAY, lang)
        assert parsed is not None, text
        assert parsed.value == d, text
        assert parsed.relative is False, text


REMEMBERED = ["12 mei 2024", "3 March 2025", "12-5-24", "gisteren", "vorige maand", "last week", "30-02-2025",
              "geen datum", "1 januari", "2024-02-29"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_remembered_date_is_the_same_as_a_freshly_parsed_one_and_depends_on_today(lang: str) -> None:
    from knowledge import dateparse

    for today in (date(2026, 11, 22), date(2027, 1, 5)):
        for text in REMEMBERED:
            fresh = dateparse._parse_whole.__wrapped__(text, today, lang)
            assert dateparse._parse_whole(text, today, lang) == fresh  # first call: parsed
            assert dateparse._parse_whole(text, today, lang) == fresh  # second call: remembered
    assert dateparse._parse_whole("gisteren", date(2026, 11, 22), "nl")[0] == date(2026, 11, 21)
    assert dateparse._parse_whole("gisteren", date(2027, 1, 5), "nl")[0] == date(2027, 1, 4)


def test_reading_the_same_message_twice_parses_its_dates_once() -> None:
    from knowledge import dateparse

    text = "mijn pip is van 14 april 2025 en ik had mijn mvv op 2 januari 2025"
    today = date(2026, 11, 23)
    first = find_dates(text, today, "nl")
    hits = dateparse._parse_whole.cache_info().hits
    assert find_dates(text, today, "nl") == first
    assert dateparse._parse_whole.cache_info().hits > hits
    assert [d.value for d in first] == [date(2025, 4, 14), date(2025, 1, 2)]


# --- Turkish, Arabic and Brazilian Portuguese (knowledge/languages.yml) ------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Turkish: with and without Turkish letters, capitals (dotless I), dotted numbers, suffixes
        ("12 mayıs 2024", "tr", date(2024, 5, 12)),
        ("12 mayis 2024", "tr", date(2024, 5, 12)),
        ("12 MAYIS 2024", "tr", date(2024, 5, 12)),
        ("12.05.2024", "tr", date(2024, 5, 12)),
        ("12. mayıs 2024", "tr", date(2024, 5, 12)),
        ("12 Aralık 2024'te", "tr", date(2024, 12, 12)),
        ("29 şubat 2024", "tr", date(2024, 2, 29)),
        ("31 ocak 2024", "tr", date(2024, 1, 31)),
        ("1 şubat 2024", "tr", date(2024, 2, 1)),
        ("31 aralık 2023", "tr", date(2023, 12, 31)),
        ("12 agustos 2024", "tr", date(2024, 8, 12)),
        ("12 mei 2024", "tr", date(2024, 5, 12)),  # a Dutch date in a Turkish conversation
        # Arabic: Egyptian/MSA, Maghreb and Levantine month names, Arabic-Indic digits, vowel marks
        ("12 مايو 2024", "ar", date(2024, 5, 12)),
        ("12 ماي 2024", "ar", date(2024, 5, 12)),
        ("12 أيار 2024", "ar", date(2024, 5, 12)),
        ("12 كانون الثاني 2024", "ar", date(2024, 1, 12)),
        ("1 تشرين الأول 2023", "ar", date(2023, 10, 1)),
        ("31 كانون الأول 2023", "ar", date(2023, 12, 31)),
        ("١٢/٠٥/٢٠٢٤", "ar", date(2024, 5, 12)),
        ("١٢ مايو ٢٠٢٤", "ar", date(2024, 5, 12)),
        ("12 يوليوز 2024", "ar", date(2024, 7, 12)),
        ("12 غشت 2024", "ar", date(2024, 8, 12)),
        ("12 شتنبر 2024", "ar", date(2024, 9, 12)),
        ("12 دجنبر 2024", "ar", date(2024, 12, 12)),
        ("12 ابريل 2024", "ar", date(2024, 4, 12)),
        ("12 آب 2024", "ar", date(2024, 8, 12)),
        ("29 فبراير 2024", "ar", date(2024, 2, 29)),
        ("12 مَايُو 2024", "ar", date(2024, 5, 12)),
        ("12 مايو، 2024", "ar", date(2024, 5, 12)),
        # Brazilian Portuguese
        ("12 de maio de 2024", "pt", date(2024, 5, 12)),
        ("12 maio 2024", "pt", date(2024, 5, 12)),
        ("12/05/24", "pt", date(2024, 5, 12)),
        ("1º de maio de 2024", "pt", date(2024, 5, 1)),
        ("29 de fevereiro de 2024", "pt", date(2024, 2, 29)),
        ("31 de janeiro de 2024", "pt", date(2024, 1, 31)),
        ("12 de marco de 2024", "pt", date(2024, 3, 12)),
        ("12 ago 2024", "pt", date(2024, 8, 12)),
        ("12 fevereio 2024", "pt", date(2024, 2, 12)),  # misspelled
        ("31 dezembro 2023", "pt", date(2023, 12, 31)),
        # any language: other languages' month names; an unknown code is Dutch
        ("12 mayıs 2024", "nl", date(2024, 5, 12)),
        ("12 May 2024", "tr", date(2024, 5, 12)),
        ("12 mayıs 2024", "xx", date(2024, 5, 12)),
    ],
    ids=lambda value: str(value),
)
def test_an_absolute_date_is_read_day_first_in_every_language(text: str, lang: str, expected: date) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is False


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("dün", "tr", date(2025, 6, 14)),
        ("dun", "tr", date(2025, 6, 14)),
        ("geçen ay", "tr", date(2025, 5, 15)),
        ("2 hafta önce", "tr", date(2025, 6, 1)),
        ("iki hafta önce", "tr", date(2025, 6, 1)),
        ("3 mart geçen yıl", "tr", date(2024, 3, 3)),
        ("geçen yıl 3 mart", "tr", date(2024, 3, 3)),
        ("12 Mayıs'ta", "tr", date(2025, 5, 12)),
        ("أمس", "ar", date(2025, 6, 14)),
        ("امبارح", "ar", date(2025, 6, 14)),
        ("الشهر الماضي", "ar", date(2025, 5, 15)),
        ("منذ أسبوعين", "ar", date(2025, 6, 1)),
        ("قبل 3 أيام", "ar", date(2025, 6, 12)),
        ("3 مارس السنة الماضية", "ar", date(2024, 3, 3)),
        ("12 مايو", "ar", date(2025, 5, 12)),
        ("ontem", "pt", date(2025, 6, 14)),
        ("mês passado", "pt", date(2025, 5, 15)),
        ("mes passado", "pt", date(2025, 5, 15)),
        ("há 2 semanas", "pt", date(2025, 6, 1)),
        ("duas semanas atrás", "pt", date(2025, 6, 1)),
        ("3 de março do ano passado", "pt", date(2024, 3, 3)),
        ("dia 12 de maio", "pt", date(2025, 5, 12)),
        ("twee weken geleden", "nl", date(2025, 6, 1)),
    ],
    ids=lambda value: str(value),
)
def test_a_date_that_depends_on_today_is_marked_relative_in_every_language(
    text: str, lang: str, expected: date
) -> None:
    parsed = parse_date(text, TODAY, lang)
    assert parsed is not None
    assert parsed.value == expected
    assert parsed.relative is True


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("30 şubat 2024", "tr"), ("29 şubat 2023", "tr"), ("31 nisan 2024", "tr"), ("31 haziran", "tr"),
        ("30 فبراير 2024", "ar"), ("31 أبريل 2024", "ar"), ("٣١/٠٤/٢٠٢٤", "ar"),
        ("30 de fevereiro de 2024", "pt"), ("31 de junho de 2024", "pt"), ("31/09/2024", "pt"),
        # a year alone is not a day, in any language (as "vorig jaar")
        ("geçen yıl", "tr"), ("السنة الماضية", "ar"), ("ano passado", "pt"), ("vorig jaar", "nl"),
        ("merhaba", "tr"), ("مرحبا", "ar"), ("olá", "pt"), ("300 saat", "tr"), ("٣٠٠ ساعة", "ar"),
        ("evet", "tr"), ("sim", "pt"), ("نعم", "ar"),
    ],
)
def test_something_that_is_not_one_real_date_gives_none_in_every_language(text: str, lang: str) -> None:
    assert parse_date(text, TODAY, lang) is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("pip tarihim 12.05.2024 ve 300 saat ders aldım", "tr", [(date(2024, 5, 12), "12.05.2024")]),
        ("PIP'im 12 Mayıs 2024'te başladı, evlilik 3 mart 2020", "tr",
         [(date(2024, 5, 12), "12 Mayıs 2024'te"), (date(2020, 3, 3), "3 mart 2020")]),
        ("Türkiye'den 12 mei 2024 geldim", "tr", [(date(2024, 5, 12), "12 mei 2024")]),
        ("استلمت الخطة في ١٢ مايو ٢٠٢٤ ووصلت في 3 أيار 2023", "ar",
         [(date(2024, 5, 12), "١٢ مايو ٢٠٢٤"), (date(2023, 5, 3), "3 أيار 2023")]),
        ("meu PIP é de 12 de maio de 2024 e cheguei ontem", "pt",
         [(date(2024, 5, 12), "12 de maio de 2024"), (date(2025, 6, 14), "ontem")]),
        ("cheguei em 3/6/2023 e tenho 300 horas", "pt", [(date(2023, 6, 3), "3/6/2023")]),
    ],
)
def test_dates_are_found_inside_longer_messages_in_every_language(
    text: str, lang: str, expected: list[tuple[date, str]]
) -> None:
    assert [(item.value, item.matched) for item in find_dates(text, TODAY, lang)] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("iki", None, 2), ("Üç sınav", None, 3), ("اثنين", None, 2), ("ثلاثة", None, 3), ("dois", None, 2),
        ("nenhum", None, 0), ("٤٥٠", None, 450), ("١٬٢٠٠", None, 1), ("on", "tr", 10), ("on", None, None),
        ("um", "pt", 1), ("um", None, None), ("um, 3", "pt", 3),
    ],
)
def test_parse_int_reads_number_words_and_digits_in_every_language(text: str, lang: str | None, expected: int) -> None:
    assert parse_int(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("30 şubat 2024", "tr", ["Şubat", "30", "12 Mayıs 2024"]),
        ("29 şubat 2023", "tr", ["2023", "12 Mayıs 2024"]),
        ("31 أبريل 2024", "ar", ["أبريل", "31", "12 مايو 2024"]),
        ("٣٠/٠٢/٢٠٢٤", "ar", ["فبراير", "30"]),
        ("30 de fevereiro de 2024", "pt", ["fevereiro", "30", "12 de maio de 2024"]),
        ("31-04-2024", "pt", ["abril", "31"]),
        ("30 februari 2024", "nl", ["februari", "30", "12 mei 2024"]),
        ("2025-02-30", "en", ["February", "30", "12 May 2024"]),
        ("29-02-2023", "en", ["2023", "leap year"]),
    ],
)
def test_an_impossible_date_is_explained_in_the_conversations_language(
    text: str, lang: str, expected: list[str]
) -> None:
    explained = explain_invalid(text, lang)
    assert all(part in explained for part in expected), explained


@pytest.mark.parametrize("lang", ["nl", "en", "tr", "ar", "pt", "xx"])
def test_every_explanation_comes_from_the_text_catalogue(lang: str) -> None:
    from knowledge import texts

    code = lang if lang != "xx" else "nl"
    assert explain_invalid("blabla", lang) == texts.text("dates.unreadable", code)
    assert explain_invalid("31-04-2024", lang) == texts.text(
        "dates.no_such_day", code, day=31, month=texts.text("deadlines.month.4", code))


def test_a_remembered_date_in_another_language_is_the_same_as_a_freshly_parsed_one() -> None:
    from knowledge import dateparse

    for lang, text in [("tr", "dün"), ("ar", "١٢ مايو ٢٠٢٤"), ("pt", "mês passado"), ("tr", "12 mayıs")]:
        for today in (date(2026, 11, 22), date(2027, 1, 5)):
            fresh = dateparse._parse_whole.__wrapped__(text, today, lang)
            assert fresh is not None
            assert dateparse._parse_whole(text, today, lang) == fresh
            assert dateparse._parse_whole(text, today, lang) == fresh
