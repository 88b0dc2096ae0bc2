"""The Twilio gateway: the only code that imports twilio.rest.

Domain code asks `TwilioGateway` for plain dicts and catches `TwilioError` and its
subclasses; it never sees twilio-python's classes or exceptions.
"""
from .errors import TwilioAuthError, TwilioError, TwilioUnavailable
from .gateway import TwilioGateway, build_http_client

__all__ = ["TwilioAuthError", "TwilioError", "TwilioGateway", "TwilioUnavailable", "build_http_client"]
