"""Blueprints: pages, JSON API, admin, health, and error handlers."""
