"""Use cases shared by the web pages, the JSON API, the admin area and the CLI."""
