"""Typed SQLAlchemy models, by area. Import from here."""
from .audit import AuditEvent, AuditHead
from .base import Base, new_id
from .consent import ConsentEvent, ContactState, InboundMessage
from .messages import IdempotencyKey, Message, StatusEvent, UsDailySegments
from .readiness import CarrierError, ReadinessCheck
from .workspace import ROLES, ApiKey, Connection, User, Workspace

__all__ = [
    "ApiKey", "AuditEvent", "AuditHead", "Base", "CarrierError", "Connection", "ConsentEvent",
    "ContactState", "IdempotencyKey", "InboundMessage", "Message", "ROLES", "ReadinessCheck",
    "StatusEvent", "UsDailySegments", "User", "Workspace", "new_id",
]
import preflight.audit.triggers  # noqa: E402,F401  (append-only DDL on audit_events; last to avoid a cycle)
