"""WhatsApp Cloud API channel: signed webhook, Graph API client, 24-hour rule with templates.

`webhook.py` holds the routes, `channel.py` the turn logic and the Sender, `client.py` the
Graph API calls, `mapping.py` the payload shapes and limits.
"""
