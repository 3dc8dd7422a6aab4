"""The wire: one thin module per dialect, on a small raw-ASGI dispatcher."""
