"""The QA surface: the /_qa API, the dev inbox, and the pytest plugin."""
