"""The one app object, for gunicorn (`gunicorn wsgi:app`) and the CLI (`flask --app wsgi ...`)."""

from recommender import create_app

app = create_app()
