"""Where a workstation keeps its device token: the OS keyring, or an administrator's explicit file.

The device token is the workstation's only credential towards the central service. It belongs in
the operating system's keyring (Windows Credential Manager, the Secret Service on UOS/Kylin). A
headless Linux often has none; then we refuse, unless an administrator explicitly chooses the file
store (`--secret-store file`): a file readable only by its owner (0600) in the data directory. The
app always says where the token is kept, never silently falls back to plain text.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE_NAME = "tongban"
TOKEN_FILE = "device-token"


class SecretStoreKind(StrEnum):
    KEYRING = "keyring"
    FILE = "file"


class SecretsError(Exception):
    """The token cannot be kept or read; the message is for the administrator at the machine."""


class DeviceSecrets(Protocol):
    def get_token(self) -> str | None: ...

    def set_token(self, token: str) -> None: ...

    def delete_token(self) -> None: ...

    def describe(self) -> str:
        """Where the token is kept, in words for the administrator."""
        ...


def _is_real_keyring(backend: KeyringBackend) -> bool:
    # keyring's "fail" backend has no storage; keyrings.alt's plaintext backends are files in
    # disguise, which only an explicit administrator's choice may use.
    module = type(backend).__module__
    return backend.priority > 0 and not module.startswith(("keyring.backends.fail", "keyrings.alt"))


def keyring_available(backend: KeyringBackend | None = None) -> bool:
    """Whether the OS keyring can keep the token (else only the administrator's file choice)."""
    return _is_real_keyring(backend or keyring.get_keyring())


class KeyringSecrets:
    """The OS keyring; one entry per data directory, so several workstations can share a machine."""

    def __init__(self, data_dir: Path, backend: KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()
        self._user = f"device-token:{data_dir.resolve()}"
        if not _is_real_keyring(self._backend):
            raise SecretsError(
                "本机没有可用的系统钥匙串，无法安全保存设备令牌；"
                "如确需保存在文件中，请由管理员使用 --secret-store file"
            )

    def get_token(self) -> str | None:
        try:
            return self._backend.get_password(SERVICE_NAME, self._user)
        except keyring.errors.KeyringError as error:
            raise SecretsError(f"无法从系统钥匙串读取设备令牌：{error}") from None

    def set_token(self, token: str) -> None:
        try:
            self._backend.set_password(SERVICE_NAME, self._user, token)
        except keyring.errors.KeyringError as error:
            raise SecretsError(f"无法把设备令牌存入系统钥匙串：{error}") from None

    def delete_token(self) -> None:
        try:
            self._backend.delete_password(SERVICE_NAME, self._user)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already deleted
        except keyring.errors.KeyringError as error:
            raise SecretsError(f"无法从系统钥匙串删除设备令牌：{error}") from None

    def describe(self) -> str:
        return f"系统钥匙串（{self._backend.name}）"


class FileSecrets:
    """A file only its owner can read (0600), chosen explicitly by an administrator."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / TOKEN_FILE

    def get_token(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None
        except OSError as error:
            raise SecretsError(f"无法读取设备令牌文件 {self.path}：{error.strerror}") from None

    def set_token(self, token: str) -> None:
        temporary = self.path.with_name(f".{TOKEN_FILE}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Created 0600 from the first byte: the token is never readable by others, not even
            # for the moment between creating and chmod-ing the file.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(token)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise SecretsError(f"无法写入设备令牌文件 {self.path}：{error.strerror}") from None

    def delete_token(self) -> None:
        self.path.unlink(missing_ok=True)

    def describe(self) -> str:
        return f"文件 {self.path}（仅本机管理员账户可读，权限 0600）"


def secret_store(
    data_dir: Path, kind: SecretStoreKind, *, backend: KeyringBackend | None = None
) -> DeviceSecrets:
    if kind is SecretStoreKind.FILE:
        return FileSecrets(data_dir)
    return KeyringSecrets(data_dir, backend)
