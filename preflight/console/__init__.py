"""The web console for admins and compliance officers, mounted at /console.

Server-rendered pages (templates/console/), no JavaScript; CSS ships in `static/`.
Admins may change things; compliance users see everything read-only. Every query is
scoped to the logged-in user's workspace.
"""
from . import views  # noqa: F401  (registers the routes)
from .blueprint import bp

__all__ = ["bp"]
