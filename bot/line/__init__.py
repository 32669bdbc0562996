"""The LINE adapter: the only code that knows LINE's webhooks, message shapes and API."""
