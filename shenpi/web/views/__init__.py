"""The web app's views, one module per area: auth, inbox, instance, start, admin."""
