"""The small words of the deadline conversation in every language (knowledge/chatwords.py, chatwords.yml)."""
from __future__ import annotations

import pytest

from knowledge import chatwords, languages
from knowledge.chatwords import fold, hours_in, is_dont_know, is_no, is_stop, is_yes, number_word, words

YES = {
    "nl": ["ja", "Ja!", "ja hoor", "klopt", "Dat klopt.", "jazeker"],
    "en": ["yes", "Yes please", "yeah", "sure", "correct"],
    "tr": ["evet", "Evet ama 12 mayıs'tı", "EVET", "tamam", "olur", "aynen öyle", "he"],
    "ar": ["نعم", "أيوه", "ايه", "واخا", "آه والله", "نَعَم", "صح"],
    "pt": ["sim", "Sim, isso", "isso mesmo", "claro", "Claro!", "certo"],
}
NO = {
    "nl": ["nee", "Nee hoor", "neen", "nee, 12 mei"],
    "en": ["no", "No.", "nope", "no it was 3 May"],
    "tr": ["hayır", "hayir", "HAYIR", "yok", "hayır değil"],
    "ar": ["لا", "لأ", "لا لا", "لاء"],
    "pt": ["não", "nao", "Não!", "não, foi em maio"],
}
STOP = {
    "nl": ["stop", "Stop!", "stoppen", "laat maar", "annuleren"],
    "en": ["cancel", "never mind", "stop please", "quit"],
    "tr": ["dur", "iptal", "İPTAL", "vazgeç", "vazgectim"],
    "ar": ["توقف", "بلاش", "خلاص", "إلغاء"],
    "pt": ["parar", "pare", "cancelar", "para", "chega"],
}
DONT_KNOW = {
    "nl": ["weet ik niet", "Ik weet het niet", "geen idee", "dat weet ik niet meer"],
    "en": ["I don't know", "dont know", "no idea", "not sure"],
    "tr": ["bilmiyorum", "bilmiyom", "Bilmiyorum ki", "emin değilim", "hiç bilmiyorum"],
    "ar": ["لا أعرف", "ما عرفتش", "مش عارف", "ma3raftch", "والله ما بعرف", "لا أدري"],
    "pt": ["não sei", "nao sei", "sei lá", "sei la", "não lembro"],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(lang, text) for lang, items in table.items() for text in items]


def test_every_language_wegwijs_speaks_has_every_kind_of_word() -> None:
    for code in languages.CODES:
        for kind in ("yes", "no", "stop", "dont_know", "hours", "numbers"):
            assert words(kind, code), f"{code}: no {kind} words in knowledge/chatwords.yml"


@pytest.mark.parametrize(("lang", "text"), _cases(YES))
def test_yes(lang: str, text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize(("lang", "text"), _cases(NO))
def test_no(lang: str, text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize(("lang", "text"), _cases(STOP))
def test_stop(lang: str, text: str) -> None:
    assert is_stop(text)


@pytest.mark.parametrize(("lang", "text"), _cases(DONT_KNOW))
def test_dont_know(lang: str, text: str) -> None:
    assert is_dont_know(text)
    assert not is_no(text)  # "no idea", "não sei", "لا أعرف" start like no but are not an answer


@pytest.mark.parametrize(
    "text",
    ["nooit", "nokia", "japan", "Jan", "simdi", "şimdi", "evlilik", "sinds 2020", "12 mei 2024", "",
     "he said no", "yas", "hayat", "lavabo", "normaal"],
)
def test_not_yes(text: str) -> None:
    assert not is_yes(text)


@pytest.mark.parametrize("text", ["nooit", "nokia", "november", "nederlands", "yoksa", "لازم", "nação", "na", "notitie"])
def test_not_no(text: str) -> None:
    assert not is_no(text)


@pytest.mark.parametrize(
    "text", ["stopcontact", "stoplicht", "stopt de cursus?", "durum", "durak", "para mim é maio",
             "parabéns", "توقفت الدروس", "ik heb pare tijd", "cancelled exam"],
)
def test_not_stop(text: str) -> None:
    assert not is_stop(text)


@pytest.mark.parametrize("text", ["ik weet het", "I know", "biliyorum", "أعرف", "sei", "weet je", "no"])
def test_not_dont_know(text: str) -> None:
    assert not is_dont_know(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik heb 300 uur", 300), ("ongeveer 450 uren", 450), ("1.200 uur", 1200), ("twee uur", 2),
        ("I followed 120 hours", 120), ("5 hrs", 5),
        ("450 saat ders aldım", 450), ("300 saatlik kurs", 300), ("iki saat", 2),
        ("٣٠٠ ساعة", 300), ("درست 450 ساعات", 450), ("300ساعة", 300), ("٤٥٠ ساعه", 450),
        ("120 horas", 120), ("tenho 600 horas de aula", 600), ("1 hora", 1),
        ("-5 uur", -5),
    ],
)
def test_hours_in_reads_a_number_before_an_hour_word(text: str, expected: int) -> None:
    assert hours_in(text) == expected


@pytest.mark.parametrize("text", ["", "300", "saat 3", "uurtje", "horas", "12 mei 2024", "hourly", "ساعة"])
def test_hours_in_needs_a_number_and_an_hour_word(text: str) -> None:
    assert hours_in(text) is None


def test_on_is_ten_hours_only_in_turkish() -> None:
    assert hours_in("on saat", "tr") == 10
    assert hours_in("on saat") is None


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [
        ("twee", None, 2), ("three", None, 3), ("iki", None, 2), ("ÜÇ", None, 3), ("dört", None, 4),
        ("altı", None, 6), ("ALTI", None, 6), ("اثنين", None, 2), ("إثنين", None, 2), ("ثلاثة", None, 3),
        ("عشرة", None, 10), ("dois", None, 2), ("três", None, 3), ("tres", None, 3), ("dez", None, 10),
        ("on", "tr", 10), ("on", "en", None), ("um", "pt", 1), ("um", "en", None), ("hello", None, None),
    ],
)
def test_number_words(word: str, lang: str | None, expected: int | None) -> None:
    assert number_word(word, lang) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("HAYIR", "hayir"), ("İptal", "iptal"), ("Não", "nao"), ("أيوه", "ايوه"), ("نَعَم", "نعم"), ("١٢", "12"),
     ("مدرسة", "مدرسه"), ("Ağustos", "agustos")],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize("text", ["stop herinneringen", "Stop reminders!", "hatırlatmaları durdur",
                                  "أوقف التذكيرات", "parar lembretes", "não quero lembretes"])
def test_a_whole_answer_in_any_language_stops_the_reminders(text):
    assert chatwords.is_stop_reminders(text)


@pytest.mark.parametrize("text", ["stop", "parar lembretes amanhã", "wanneer stop ik met herinneringen"])
def test_only_the_whole_phrase_stops_the_reminders(text):
    assert not chatwords.is_stop_reminders(text)
