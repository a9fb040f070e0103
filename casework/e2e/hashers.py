"""A cheaper Argon2 for the browser tests' server, which signs demo users in a dozen times.

Django's Argon2 defaults (100 MB, 2 passes, 8 lanes) cost about half a second per sign-in on
a small CI machine. The browser tests keep the same hasher code with small parameters; the
production settings and the unit test that asserts Argon2 are unchanged.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with test-sized parameters (same algorithm name, so hashes stay interchangeable)."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


PASSWORD_HASHERS = ["casework.e2e.hashers.QuickArgon2PasswordHasher"]
