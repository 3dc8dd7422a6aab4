"""What stands between the wire and the engine: tokens, scopes, rate limits, tenants and the directory."""
