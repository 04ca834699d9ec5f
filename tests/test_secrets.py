"""The device token: in the OS keyring, or in a 0600 file only when an administrator says so."""

from __future__ import annotations

import stat

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from tongban.desktop.secrets import (
    FileSecrets,
    SecretsError,
    SecretStoreKind,
    secret_store,
)


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its entries in memory, standing in for the OS's secret service."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


def test_the_keyring_keeps_one_token_per_data_directory(tmp_path):
    backend = MemoryKeyring()
    first = secret_store(tmp_path / "a", SecretStoreKind.KEYRING, backend=backend)
    second = secret_store(tmp_path / "b", SecretStoreKind.KEYRING, backend=backend)
    first.set_token("token-a")
    second.set_token("token-b")
    assert (first.get_token(), second.get_token()) == ("token-a", "token-b")
    first.delete_token()
    assert first.get_token() is None and second.get_token() == "token-b"
    assert "系统钥匙串" in first.describe()


def test_without_an_os_keyring_the_token_is_refused_not_written_in_plain_text(tmp_path):
    with pytest.raises(SecretsError, match="--secret-store file"):
        secret_store(tmp_path, SecretStoreKind.KEYRING, backend=fail.Keyring())
    assert list(tmp_path.iterdir()) == []


def test_the_file_store_is_readable_by_its_owner_only(tmp_path):
    store = secret_store(tmp_path, SecretStoreKind.FILE)
    assert store.get_token() is None
    store.set_token("s3cret")
    assert isinstance(store, FileSecrets)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.get_token() == "s3cret" and str(store.path) in store.describe()
    store.set_token("rotated")
    assert store.get_token() == "rotated"
    assert [p.name for p in tmp_path.iterdir()] == ["device-token"]
    store.delete_token()
    assert store.get_token() is None
