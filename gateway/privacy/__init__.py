"""Privacy (AVG): erase on request, retention, PII redaction in logs and transcripts, the privacy page.

`install_privacy(service)` (called by `channels.app` at start-up) adds the BSN/IBAN transcript
filter and the `delete_my_data` payload handler and remembers the Rasa tracker store URL.
`delete_user_data(session, conversation_id)` is the erase operation for channel commands.
"""

from __future__ import annotations

from channels.core.conversation import ConversationService
from channels.privacy.erase import ErasureReport, delete_user_data
from channels.privacy.redact import find_pii, is_valid_bsn, is_valid_iban, redact


def install_privacy(service: ConversationService) -> None:
    from channels.privacy import erase
    from channels.privacy.textfilter import transcript_filter

    erase.configure(service.settings)
    if transcript_filter not in service.text_filters:
        service.text_filters.append(transcript_filter)
    service.register_payload_handler(erase.KIND, erase.handle_delete_payload)


__all__ = [
    "ErasureReport",
    "delete_user_data",
    "find_pii",
    "install_privacy",
    "is_valid_bsn",
    "is_valid_iban",
    "redact",
]
