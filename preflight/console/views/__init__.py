"""Console pages, one module per area; importing them registers their routes on `bp`."""
from . import audit, connection, contacts, dashboard, login, messages, reports

__all__ = ["audit", "connection", "contacts", "dashboard", "login", "messages", "reports"]
