"""PII redaction: BSN (11-proef), IBAN (mod-97), phone numbers, e-mail; no false positives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redaction.text import TRANSCRIPT_KINDS, find_pii, is_valid_bsn, is_valid_iban, redact


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990", "111.222.333", "1112.22.333", "111 222 333"])
def test_a_bsn_that_passes_the_11_proef_is_masked(bsn: str) -> None:
    assert is_valid_bsn(bsn)
    assert redact(f"Mijn BSN is {bsn}.") == "Mijn BSN is [BSN]."


@pytest.mark.parametrize("number", ["123456789", "111222334", "000000000", "987654321"])
def test_a_nine_digit_number_that_fails_the_11_proef_is_not_masked(number: str) -> None:
    assert not is_valid_bsn(number)
    assert redact(f"klantnummer {number}") == f"klantnummer {number}"


@given(st.integers(min_value=0, max_value=999_999_999))
def test_any_nine_digit_number_is_masked_exactly_when_it_passes_the_11_proef(value: int) -> None:
    number = f"{value:09d}"
    valid = sum(int(d) * w for d, w in zip(number[:8], range(9, 1, -1))) - int(number[8])
    expected = valid % 11 == 0 and value != 0
    assert (redact(f"nummer {number} graag") == "nummer [BSN] graag") is expected


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "DE89370400440532013000", "GB82WEST12345698765432", "BE68539007547034"])
def test_a_valid_iban_is_masked(iban: str) -> None:
    assert is_valid_iban(iban)
    assert redact(f"rekening {iban} graag") == "rekening [IBAN] graag"


@pytest.mark.parametrize("iban", ["NL91ABNA0417164301", "NL92ABNA0417164300", "NL91ABNA041716430"])
def test_an_iban_that_fails_the_mod_97_check_is_not_masked(iban: str) -> None:
    assert not is_valid_iban(iban)
    assert "[IBAN]" not in redact(f"rekening {iban}")


@pytest.mark.parametrize(
    "phone",
    ["06-12345678", "0612345678", "06 12345678", "06 12 34 56 78", "+31 6 1234 5678", "+31612345678",
     "0031 6 12345678", "0201234567", "020-1234567", "(020) 123 4567", "+44 20 7946 0958", "+1 555 123 4567"],
)
def test_dutch_and_international_phone_numbers_are_masked(phone: str) -> None:
    assert redact(f"bel mij op {phone} vandaag") == "bel mij op [PHONE] vandaag"


@pytest.mark.parametrize("email", ["a@b.nl", "fatima.el-amrani+inburgering@gemeente.example.org", "X_Y@sub.domain.com"])
def test_email_addresses_are_masked(email: str) -> None:
    assert redact(f"mail: {email}.") == "mail: [EMAIL]."


@pytest.mark.parametrize(
    "text",
    ["op 12-05-2024 had ik mijn PIP", "01-05-2024 12 uur", "ik heb 450 uur les gehad", "postcode 1234 AB",
     "2024-05-12", "12/05/2024", "versie 3.6.21", "bedrag 1.234.567,00", "om 10:30", "600 uur en 300 fysiek",
     "examen B1 gehaald", "12 mei 2027"],
)
def test_dates_hours_and_postcodes_are_not_mistaken_for_personal_data(text: str) -> None:
    assert redact(text) == text
    assert find_pii(text) == []


def test_the_transcript_kinds_mask_bsn_and_iban_but_keep_phone_and_email() -> None:
    text = "BSN 111222333, IBAN NL91ABNA0417164300, bel 06-12345678 of mail a@b.nl"
    assert redact(text, TRANSCRIPT_KINDS) == "BSN [BSN], IBAN [IBAN], bel 06-12345678 of mail a@b.nl"


def test_the_digits_of_a_phone_number_are_never_taken_for_a_bsn() -> None:
    assert redact("+31 111222333", {"bsn"}) == "+31 111222333"


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]), max_size=80))
def test_text_without_digits_or_at_signs_is_unchanged(text: str) -> None:
    assert redact(text.replace("@", "")) == text.replace("@", "")
