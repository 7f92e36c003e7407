"""The redaction rules (BSN, IBAN, phone numbers, e-mail addresses) live in `knowledge.redact`,
shared with the engine and the action server; this module keeps the gateway's import path."""

from knowledge.redact import (  # noqa: F401
    ALL_KINDS,
    BSN,
    EMAIL,
    IBAN,
    IBAN_LENGTHS,
    MASKS,
    PHONE,
    TRANSCRIPT_KINDS,
    Finding,
    digits,
    find_pii,
    is_valid_bsn,
    is_valid_iban,
    redact,
    redact_with_report,
)
