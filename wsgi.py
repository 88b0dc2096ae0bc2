"""WSGI entry point for gunicorn: `gunicorn -w 2 -k gthread --threads 4 wsgi:app`."""
from preflight import create_app

app = create_app()
