"""The code's form: unambiguous characters, read in any case and with or without dashes."""

from __future__ import annotations

import re

import pytest

from gateway.referents.service import ALPHABET, code_hash, code_in, new_code


def test_a_new_code_has_ten_unambiguous_characters_after_ww() -> None:
    code = new_code()
    assert re.fullmatch(rf"WW-[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}", code)
    assert not set("01OILU") & set(ALPHABET)
    assert len({new_code() for _ in range(200)}) == 200


def test_the_hash_does_not_depend_on_how_the_code_is_written() -> None:
    assert code_hash("k", "WW-7K3PA-9QXMR") == code_hash("k", "7k3pa9qxmr") != code_hash("other", "7K3PA9QXMR")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("WW-7K3PA-9QXMR", "7K3PA9QXMR"),
        ("ww 7k3pa 9qxmr", "7K3PA9QXMR"),
        ("ww7k3pa9qxmr", "7K3PA9QXMR"),
        ("Mijn code is WW-7K3PA-9QXMR.", "7K3PA9QXMR"),
        ("7K3PA-9QXMR", "7K3PA9QXMR"),
        ("WW-0K1PA-9QXMR", "0K1PA9QXMR"),  # looks like a code: read as a (wrong) one
    ],
)
def test_the_code_is_recognised_in_any_case_with_or_without_dashes(text: str, code: str) -> None:
    assert code_in(text) == code


@pytest.mark.parametrize("text", ["B1 route 600", "inburgeren", "12-05-2024", "0612345678", "wat is een pip?"])
def test_ordinary_messages_are_not_codes(text: str) -> None:
    assert code_in(text) is None


