"""Password policy: complexity for new accounts, and argon2id hashes (argon2-cffi).

Only hashes are stored. Verifying an unknown clerk number still runs one verification against a
fixed hash, so the time a refusal takes does not tell which clerk numbers exist.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tongban.models.rules.passwords import MIN_PASSWORD_LENGTH, password_problem

__all__ = ["MIN_PASSWORD_LENGTH", "Passwords", "Verification", "password_problem"]


@dataclass(frozen=True)
class Verification:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used weaker parameters: store this one


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy: str | None = None  # made on first need: hashing takes a noticeable moment

    def hash(self, password: str) -> str:
        problem = password_problem(password)
        if problem is not None:
            raise ValueError(problem)
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> Verification:
        if not stored:
            self.burn(password)
            return Verification(ok=False)
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if self._hasher.check_needs_rehash(stored):
            return Verification(ok=True, new_hash=self._hasher.hash(password))
        return Verification(ok=True)

    def burn(self, password: str) -> None:
        """Spend the time of one verification (for a clerk number that does not exist)."""
        if self._decoy is None:
            self._decoy = self._hasher.hash("decoy-password-1")
        with contextlib.suppress(VerificationError):
            self._hasher.verify(self._decoy, password)
