"""Password policy: complexity for new accounts, and argon2id hashes (argon2-cffi).

Only hashes are stored. Verifying an unknown clerk number still runs one verification against a
fixed hash, so the time a refusal takes does not tell which clerk numbers exist.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (zh_CN), or None. 等保 2.0: length and mixed kinds."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if not any(c.isascii() and c.isalpha() for c in password):
        return "密码须包含英文字母"
    if not any(c.isascii() and c.isdigit() for c in password):
        return "密码须包含数字"
    if any(c.isspace() for c in password):
        return "密码不能包含空格"
    return None


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
