"""Wegwijs gateway: one ASGI app for the web chat, the deadline API and the messaging channels."""
