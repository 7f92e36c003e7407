"""Keep personal data out of logs and transcripts, in both environments.

No third-party dependencies: the engine (Rasa, pydantic 1) and the gateway (FastAPI,
pydantic 2) both import it. `text` finds and masks BSNs, IBANs, phone numbers and e-mail
addresses; `logs` is the logging filter built on it, and `hash_id`.
"""
