"""Auth Token encryption at rest.

Each configured Fernet key is a master key; the key that encrypts a workspace's token
is derived from it with HKDF bound to the workspace id, so a ciphertext copied into
another workspace's row does not decrypt. The first master key encrypts, all decrypt
(rotation); `rotate` re-encrypts with the first.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class TokenDecryptError(Exception):
    """The stored token could not be decrypted with any configured key for this workspace."""


def _derive(master: str, workspace_id: str) -> Fernet:
    raw = base64.urlsafe_b64decode(master.encode())
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"preflight-auth-token-v1",
                info=f"workspace:{workspace_id}".encode())
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(raw)))


class TokenCipher:
    """Encrypts and decrypts Auth Tokens for one workspace at a time."""

    def __init__(self, master_keys: list[str]):
        if not master_keys:
            raise ValueError("at least one encryption key is required")
        self._keys = list(master_keys)

    def _multi(self, workspace_id: str) -> MultiFernet:
        return MultiFernet([_derive(k, workspace_id) for k in self._keys])

    def encrypt(self, workspace_id: str, token: str) -> bytes:
        return self._multi(workspace_id).encrypt(token.encode())

    def decrypt(self, workspace_id: str, ciphertext: bytes) -> str:
        try:
            return self._multi(workspace_id).decrypt(bytes(ciphertext)).decode()
        except InvalidToken:
            raise TokenDecryptError("stored Auth Token does not decrypt for this workspace") from None

    def rotate(self, workspace_id: str, ciphertext: bytes) -> bytes:
        """Re-encrypt under the first (newest) key."""
        try:
            return self._multi(workspace_id).rotate(bytes(ciphertext))
        except InvalidToken:
            raise TokenDecryptError("stored Auth Token does not decrypt for this workspace") from None
