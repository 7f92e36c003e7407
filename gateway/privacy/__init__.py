"""Privacy (AVG): erase on request, retention, PII redaction in logs and transcripts, the privacy page.

`channels.app.wire` registers `textfilter.transcript_filter` (BSN/IBAN masked before storage) and
`erase.handle_delete_payload` (the `delete_my_data` payload), after `erase.configure(settings)`.
`delete_user_data(session, conversation_id)` is the erase operation for channel commands.
"""

from __future__ import annotations

from gateway.privacy.erase import ErasureReport, delete_user_data
from redaction.text import find_pii, is_valid_bsn, is_valid_iban, redact

__all__ = [
    "ErasureReport",
    "delete_user_data",
    "find_pii",
    "is_valid_bsn",
    "is_valid_iban",
    "redact",
]
