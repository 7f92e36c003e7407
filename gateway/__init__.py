"""The gateway: one FastAPI app between the channels and the engine.

`core` (settings, database, conversations, the engine client), `api` (the public deadline API),
`media` (timeline PNG and calendar file), `privacy` (consent, retention, erasure), `reminders`,
`inbox` (the regievoerders' handoff inbox) and `migrations`. It may import `knowledge` and
`redaction`, never `channels` or the engine's packages (`bot/`).
"""
