"""The password policy for clerk accounts, the same at the workstation and at the center.

等保 2.0 (level 3) asks for password complexity: at least 8 characters, letters and digits mixed.
"""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 8


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (zh_CN), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if not any(c.isascii() and c.isalpha() for c in password):
        return "密码须包含英文字母"
    if not any(c.isascii() and c.isdigit() for c in password):
        return "密码须包含数字"
    if any(c.isspace() for c in password):
        return "密码不能包含空格"
    return None
