"""Field encryption for the most sensitive identifiers (full SSN), with key rotation."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    if not keys:
        # Development only (settings refuse an empty key list when DEBUG is off).
        derived = base64.urlsafe_b64encode(hashlib.sha256(("field-encryption:" + secret).encode()).digest())
        return MultiFernet([Fernet(derived)])
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypt a short string; empty stays empty."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt what `encrypt` produced; raises ValueError when no key fits."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("The value cannot be decrypted with the configured keys.") from exc
