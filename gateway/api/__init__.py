"""Public HTTP API routes (deadlines, health)."""
