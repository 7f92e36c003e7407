"""Media the bot sends (deadline timeline PNG, calendar file), rendered on request."""
