"""Find and mask personal data in free text: BSN, IBAN, phone numbers and e-mail addresses.

Only numbers that pass their check are masked: a BSN must pass the 11-proef and an IBAN the
mod-97 check, so order numbers, hours ("450"), dates ("12-05-2024") and postcodes ("1234 AB")
stay as they are.

    >>> redact("Mijn BSN is 111222333 en mail a@b.nl")
    'Mijn BSN is [BSN] en mail [EMAIL]'
    >>> redact("Mijn BSN is 111222333, bel 06-12345678", kinds={"bsn", "iban"})
    'Mijn BSN is [BSN], bel 06-12345678'

Pure standard library, so the gateway (transcripts, logs) and the engine and action server (logs,
see redaction/logs.py) share these rules.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

BSN, IBAN, PHONE, EMAIL = "bsn", "iban", "phone", "email"
ALL_KINDS = frozenset({BSN, IBAN, PHONE, EMAIL})
#: What is masked in stored transcripts: consultants never need a BSN or IBAN, but may call back.
TRANSCRIPT_KINDS = frozenset({BSN, IBAN})
MASKS = {BSN: "[BSN]", IBAN: "[IBAN]", PHONE: "[PHONE]", EMAIL: "[EMAIL]"}

# IBAN lengths of the countries a Dutch municipality sees most; other countries: 15-34.
IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "PL": 28, "TR": 26,
    "PT": 25, "LU": 20, "AT": 20, "CH": 21, "IE": 22, "DK": 18, "SE": 24, "NO": 15, "FI": 18,
    "RO": 24, "BG": 22, "GR": 27, "HU": 28, "CZ": 24, "SK": 24, "UA": 29, "MA": 28, "SA": 24,
    "AE": 23, "EG": 29, "SY": 0, "SR": 0,
}

# Local part and domain may hold any letters (jürgen@, أحمد@, münchen.de).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
# An IBAN as people write it: separators [ .-] anywhere (also after the country code:
# "NL 91 ABNA ...", "NL91-ABNA-0417-..."), any case. The candidate may swallow a following word;
# `_iban_findings` shortens it until the check passes.
_IBAN_LOOSE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ .-]?\d{2}(?:[ .-]?[A-Za-z0-9]){11,34}")
_PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9](?:[\s.\-]?(?:\(0\)|\(\d{1,4}\)|\d)){7,16}(?![\w])")
_PHONE_NL = re.compile(r"(?<![\w+\-/.])(?:\(0\d{1,3}\)|0\d{1,3})(?:[\s.\-]?\d{2,8}){1,4}(?![\w\-/])")
# Nine digits, plain or grouped 3-3-3 / 4-2-3 with [ .-]; letters may touch it ("bsn111222333").
_BSN = re.compile(
    r"(?<![\d.\-/+])(?:\d{9}|\d{3}([ .-])\d{3}\1\d{3}|\d{4}([ .-])\d{2}\2\d{3}|\d{2}([ .-])\d{3}\3\d{2}\3\d{2})"
    r"(?![\d\-/]|[.,]\d)"
)
# A number that passes the 11-proef but is named as something else right before it ("ordernummer
# 123456782"). Only these words, and never when a BSN word is near: recall comes first.
_NOT_A_BSN = re.compile(
    r"(?:order|bestel|factuur|invoice|track|pakket|parcel|klant|artikel|ticket|kenteken|iban|rekening)"
    r"\w*(?:\W{1,3}(?:nummer|nr|number|no|is|was|zijn))*\W{0,3}$",
    re.IGNORECASE,
)
_BSN_WORD = re.compile(r"bsn|burger\s*service|sofi|citizen", re.IGNORECASE)
_SEPARATORS = re.compile(r"[ .-]")
_DATE_PREFIX = re.compile(r"^\d{1,4}[\-/.]\d{1,2}[\-/.](?:\d{3,4}|\d{1,2}(?![\d]|[\-/.]\d))")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def is_valid_bsn(value: str) -> bool:
    """The 11-proef: 9 digits d1..d9 with 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11 (and not 0)."""
    number = digits(value)
    if len(number) != 9 or len(_SEPARATORS.sub("", value)) != 9 or int(number) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(number[:8], range(9, 1, -1))) - int(number[8])
    return total % 11 == 0


def is_valid_iban(value: str) -> bool:
    """ISO 13616 mod-97 check (and the country's length where known)."""
    iban = _SEPARATORS.sub("", value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(numeric) % 97 == 1


def _iban_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    position = 0
    while True:
        match = _IBAN_LOOSE.search(text, position)
        if match is None:
            return found
        candidate = match.group(0)
        # a following word can be swallowed ("... 1643 00 voor"): shorten until the check passes
        end = len(candidate)
        while end >= 15:
            piece = candidate[:end]
            if piece[-1].isalnum() and is_valid_iban(piece):
                found.append(Finding(IBAN, match.start(), match.start() + end))
                break
            end -= 1
        position = match.start() + (end if end >= 15 else 1)


def _phone_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _PHONE_INTL.finditer(text):
        count = len(digits(match.group(0).removeprefix("00")))
        if 8 <= count <= 15:
            found.append(Finding(PHONE, match.start(), match.end()))
    for match in _PHONE_NL.finditer(text):
        candidate = match.group(0)
        number = digits(candidate)
        if len(number) != 10 or number[1] == "0" or _DATE_PREFIX.match(candidate):
            continue
        found.append(Finding(PHONE, match.start(), match.end()))
    return found


def _named_otherwise(text: str, start: int) -> bool:
    """The words just before a number call it an order, invoice, parcel... number, and no BSN word is near."""
    before = text[max(0, start - 30) : start]
    return bool(_NOT_A_BSN.search(before)) and not _BSN_WORD.search(text[max(0, start - 60) : start + 40])


def _bsn_findings(text: str) -> list[Finding]:
    return [
        Finding(BSN, m.start(), m.end())
        for m in _BSN.finditer(text)
        if is_valid_bsn(m.group(0)) and not _named_otherwise(text, m.start())
    ]


def find_pii(text: str, kinds: Collection[str] = ALL_KINDS) -> list[Finding]:
    """Non-overlapping findings, in text order. Earlier kinds win overlaps: e-mail, IBAN, phone, BSN."""
    candidates: list[Finding] = []
    if EMAIL in kinds:
        candidates += [Finding(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
    if IBAN in kinds:
        candidates += _iban_findings(text)
    # Phone numbers are looked for even when not masked, so their digits are never taken for a BSN.
    phones = _phone_findings(text)
    candidates += phones
    if BSN in kinds:
        candidates += _bsn_findings(text)
    taken: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= t.start or finding.start >= t.end for t in taken):
            taken.append(finding)
    return sorted((f for f in taken if f.kind in kinds), key=lambda f: f.start)


def redact_with_report(text: str, kinds: Collection[str] = ALL_KINDS) -> tuple[str, set[str]]:
    """(masked text, the kinds that were masked)."""
    findings = find_pii(text, kinds)
    if not findings:
        return text, set()
    out: list[str] = []
    position = 0
    for finding in findings:
        out.append(text[position : finding.start])
        out.append(MASKS[finding.kind])
        position = finding.end
    out.append(text[position:])
    return "".join(out), {f.kind for f in findings}


def redact(text: str, kinds: Collection[str] = ALL_KINDS) -> str:
    """`text` with every BSN, IBAN, phone number and e-mail address (of `kinds`) masked."""
    return redact_with_report(text, kinds)[0]
