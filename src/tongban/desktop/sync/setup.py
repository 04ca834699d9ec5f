"""Setting up a workstation against the central service: redeem the enrollment code, create the
store with the identity the service assigned, keep the token, save the settings.

The secret store is checked before the code is redeemed: a code is good for one use, and a
machine that cannot keep the token must not use it up. The settings file is written last, so a
data directory only counts as set up when everything before it succeeded; when a step after the
redemption fails, the store file and the token are removed again, so the directory is as before
(the code is used up by then: the administrator issues a new one).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from keyring.backend import KeyringBackend

from tongban.desktop.secrets import DeviceSecrets, SecretsError, SecretStoreKind, secret_store
from tongban.desktop.settings import (
    ServerAddressError,
    Settings,
    load_settings,
    normalised_server_url,
    save_settings,
    store_path,
)
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.models.app_versions import AppVersions
from tongban.models.clock import shanghai_now
from tongban.models.store import init_workstation, open_store
from tongban.models.store.sync_state import update_sync_state
from tongban.models.sync_wire import EnrollResponse


@dataclass(frozen=True)
class SetupResult:
    data_dir: Path
    device_id: str
    center_code: str
    center_name: str
    site_code: str
    workstation_number: int
    workstation_name: str
    secret_location: str  # where the token is kept, in words
    app_versions: AppVersions  # what the service announces (models/app_versions.py)


class SetupError(Exception):
    """Setup cannot go on; one Chinese line for the administrator."""


def set_up_workstation(
    data_dir: Path,
    *,
    server_url: str,
    code: str,
    secret_kind: SecretStoreKind,
    keyring_backend: KeyringBackend | None = None,
    at: datetime | None = None,
) -> SetupResult:
    """Enroll this machine with `code` and create its data directory's workstation."""
    try:
        server_url = normalised_server_url(server_url)
    except ServerAddressError as error:
        raise SetupError(str(error)) from None
    if load_settings(data_dir) is not None or store_path(data_dir).exists():
        raise SetupError(f"数据目录 {data_dir} 已有工作站，不能再次登记")
    data_dir.mkdir(parents=True, exist_ok=True)
    secrets = secret_store(data_dir, secret_kind, backend=keyring_backend)
    with SyncClient(server_url) as client:
        answer = client.enroll(code)
    try:
        _create_store(data_dir, answer, at or shanghai_now())
        secrets.set_token(answer.token)
        save_settings(data_dir, Settings(server_url=server_url, secret_store=secret_kind.value))
    except BaseException:
        _remove_partial_setup(data_dir, secrets)
        raise
    return SetupResult(
        data_dir=data_dir,
        device_id=answer.device_id,
        center_code=answer.center_code,
        center_name=answer.center_name,
        site_code=answer.site_code,
        workstation_number=answer.workstation_number,
        workstation_name=answer.workstation_name,
        secret_location=secrets.describe(),
        app_versions=answer.app_versions(),
    )


def _create_store(data_dir: Path, answer: EnrollResponse, at: datetime) -> None:
    store = open_store(store_path(data_dir))
    try:
        with store.transaction() as session:
            init_workstation(
                session,
                center_code=answer.center_code,
                site_code=answer.site_code,
                number=answer.workstation_number,
                at=at,
                device_id=answer.device_id,
            )
            versions = answer.app_versions()
            update_sync_state(
                session,
                epoch=answer.epoch,
                current_app_version=versions.current,
                minimum_app_version=versions.minimum,
            )
    finally:
        store.close()


def _remove_partial_setup(data_dir: Path, secrets: DeviceSecrets) -> None:
    """Undo a setup that failed after the code was redeemed: no store, no token, no settings."""
    store = store_path(data_dir)
    for suffix in ("", "-wal", "-shm"):
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    # The token is useless without the store; a keyring error here was already reported.
    with contextlib.suppress(SecretsError):
        secrets.delete_token()


def device_secrets(
    data_dir: Path, settings: Settings, *, keyring_backend: KeyringBackend | None = None
) -> DeviceSecrets:
    try:
        kind = SecretStoreKind(settings.secret_store)
    except ValueError:
        raise SetupError(f"设置中的令牌保存方式无法识别：{settings.secret_store}") from None
    return secret_store(data_dir, kind, backend=keyring_backend)


def connect(
    data_dir: Path, settings: Settings, *, keyring_backend: KeyringBackend | None = None
) -> SyncClient:
    """A client for this workstation's server with its device token."""
    if not settings.server_url:
        raise SetupError("此工作站没有配置同步服务器（请先运行 tongban setup）")
    token = device_secrets(data_dir, settings, keyring_backend=keyring_backend).get_token()
    if not token:
        raise SyncError(SyncErrorKind.NOT_AUTHENTICATED, "找不到本工作站的设备令牌，请重新登记")
    return SyncClient(settings.server_url, token)
