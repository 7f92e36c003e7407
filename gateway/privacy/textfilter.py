"""The transcript filter: BSN and IBAN never reach the database or the engine.

Installed as a `ConversationService.text_filters` entry, so it runs on every user message
before it is stored and before the engine sees it. Phone numbers and e-mail addresses stay in
the transcript (a regievoerder may need to call back); logs mask them (see `logfilter`).
"""

from __future__ import annotations

from gateway.core.conversation import ConversationRef, FilteredText
from gateway.core.schemas import OutgoingMessage
from knowledge.texts import Localized
from redaction.text import BSN, TRANSCRIPT_KINDS, redact_with_report

BSN_NOTICE = Localized("gateway.bsn_notice")


def transcript_filter(text: str, conversation: ConversationRef) -> FilteredText:
    masked, kinds = redact_with_report(text, TRANSCRIPT_KINDS)
    if BSN not in kinds:
        return FilteredText(masked)
    notice = BSN_NOTICE.get(conversation.language, BSN_NOTICE["nl"])
    return FilteredText(masked, (OutgoingMessage(text=notice, sender="system"),))
