"""A self-contained demonstration workstation in its own data directory.

The demo stands at 徐汇区 天平路街道社区事务受理服务中心 (310104003) as workstation 1 (1号窗口),
with three plainly fictitious accounts that share one password. It is a training installation
(Settings.demo): the window shows the 演示 banner and the login page shows the accounts.

Preparing is idempotent: what exists is kept, what is missing is added. The settings file is
written last, so a directory counts as set up only when everything else is in place. `reset`
removes this program's files from the directory (nothing else in it) and starts again; it
refuses a directory that belongs to a real workstation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tongban.desktop.demo_hint import DEMO_PASSWORD
from tongban.desktop.services.context import Clock
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.passwords import Passwords
from tongban.desktop.settings import SETTINGS_FILE, Settings, load_settings, save_settings
from tongban.desktop.settings import store_path as store_file
from tongban.models.catalog import default_catalog
from tongban.models.clock import shanghai_now
from tongban.models.store import (
    AuditOutcome,
    Store,
    StoreError,
    SubjectType,
    Workstation,
    get_workstation,
    init_workstation,
    open_store,
    record_audit,
    set_catalog_revision,
)
from tongban.models.store.clerks import ClerkRole, add_clerk, get_clerk

DEMO_CENTER = "310104003"  # 天平路街道社区事务受理服务中心, 徐汇区
DEMO_WORKSTATION_NUMBER = 1


@dataclass(frozen=True)
class DemoAccount:
    number: str
    name: str
    role: ClerkRole


DEMO_ACCOUNTS = (
    DemoAccount("1001", "演示受理员甲", ClerkRole.CLERK),
    DemoAccount("1002", "演示受理员乙", ClerkRole.CLERK),
    DemoAccount("9001", "演示主管", ClerkRole.SUPERVISOR),
)
# SQLite's own companions of the store file (write-ahead log, shared memory, rollback journal).
_STORE_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class DemoSetup:
    directory: Path
    created: bool  # False: an existing demo was found complete and left as it was


def prepare_demo(
    directory: Path,
    *,
    reset: bool = False,
    clock: Clock = shanghai_now,
    passwords: Passwords | None = None,
) -> DemoSetup:
    """Set up (or complete, or with reset: recreate) the demo workstation in `directory`."""
    with service_errors():
        settings = load_settings(directory)
        if settings is not None and not settings.demo:
            raise ServiceError(f"{directory} 是正式工作站的数据目录，不能用于演示，请另选目录")
        if reset:
            _wipe(directory)
            settings = None
        directory.mkdir(parents=True, exist_ok=True)
        store = open_store(store_file(directory))
        try:
            added = _fill_store(store, clock, passwords or Passwords())
        finally:
            store.close()
        if settings is None:
            save_settings(directory, Settings(demo=True))
    return DemoSetup(directory=directory, created=added or settings is None)


def _fill_store(store: Store, clock: Clock, passwords: Passwords) -> bool:
    """Give the store the demo identity and accounts; True when anything was added."""
    now = clock()
    added = False
    # One hash for the shared demo password (the password is printed on the login page anyway);
    # each argon2 hash takes a noticeable fraction of a second.
    password_hash: str | None = None
    with store.transaction() as session:
        try:
            workstation: Workstation | None = get_workstation(session)
        except StoreError:
            workstation = None
        if workstation is None:
            workstation = init_workstation(
                session,
                center_code=DEMO_CENTER,
                site_code=DEMO_CENTER,
                number=DEMO_WORKSTATION_NUMBER,
                at=now,
            )
            set_catalog_revision(session, default_catalog().revision)
            added = True
        elif (workstation.site_code, workstation.number) != (DEMO_CENTER, DEMO_WORKSTATION_NUMBER):
            raise ServiceError("该数据目录中的存储不是演示工作站，不能用于演示，请另选目录")
        for account in DEMO_ACCOUNTS:
            if get_clerk(session, account.number) is not None:
                continue
            password_hash = password_hash or passwords.hash(DEMO_PASSWORD)
            add_clerk(
                session,
                number=account.number,
                name=account.name,
                role=account.role,
                center_code=DEMO_CENTER,
                password_hash=password_hash,
            )
            record_audit(
                session,
                workstation=workstation.device_id,
                clerk="demo",
                action="create_clerk",
                subject_type=SubjectType.CLERK,
                subject_ref=account.number,
                outcome=AuditOutcome.SUCCESS,
                at=now,
                detail=f"演示账户：{account.name}",
            )
            added = True
    return added


def _wipe(directory: Path) -> None:
    """Remove the demo's own files; refuse when the store is a real workstation's."""
    store = store_file(directory)
    if store.exists() and load_settings(directory) is None:
        # No settings to say it is a demo: only the store's own identity can tell.
        opened = open_store(store)
        try:
            with opened.reading() as session:
                workstation = get_workstation(session)
        except StoreError:
            workstation = None
        finally:
            opened.close()
        if workstation is not None and workstation.site_code != DEMO_CENTER:
            raise ServiceError("该数据目录中的存储不是演示工作站，不能重置")
    for path in (directory / SETTINGS_FILE, store, *_companions(store)):
        path.unlink(missing_ok=True)


def _companions(store: Path) -> list[Path]:
    return [store.with_name(store.name + suffix) for suffix in _STORE_COMPANIONS]
