"""Marshmallow schemas shared by the HTTP API. Used only at the HTTP edge."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorBody, required=True)


class ConnectionIn(Strict):
    account_sid = fields.String(required=True)
    auth_token = fields.String(required=True, load_only=True)
    phone_number = fields.String(required=True)


class ConnectionOut(Schema):
    account_sid = fields.String(required=True)
    phone_number = fields.String(required=True)
    auth_token_last4 = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class Health(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)


class CreditsIn(Strict):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**9))


class CreditsOut(Schema):
    balance = fields.Integer(required=True)


class PageArgs(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)
