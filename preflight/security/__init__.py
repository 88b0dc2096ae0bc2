"""Secrets at rest: the Auth Token cipher and API key hashing."""
