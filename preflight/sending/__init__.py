"""Sending: idempotency claims, the gated submit, Twilio status callbacks, reconcile."""
