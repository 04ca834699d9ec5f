"""What every service of one counter needs, built once per process and passed explicitly.

`open_counter(data_dir)` reads the settings, opens the store, and loads the reference data
(geography, catalog, working calendar) and the workstation's identity. The clock is a function so
that tests can set the time; every date a rule sees comes from it, as a Shanghai date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from tongban.desktop.paths import NOT_CONFIGURED
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.settings import Settings, load_settings, store_path
from tongban.models.catalog import Catalog, CatalogError, default_catalog
from tongban.models.catalog.loader import parse_catalog
from tongban.models.clock import SHANGHAI, shanghai_now
from tongban.models.geography import Geography, shanghai
from tongban.models.rules import WorkingCalendar
from tongban.models.store import Store, get_workstation, open_store, set_catalog_revision
from tongban.models.store.sync_state import catalog_revision_content

Clock = Callable[[], datetime]


class NotConfigured(ServiceError):
    """The data directory holds no workstation yet."""


@dataclass(frozen=True)
class Station:
    """This workstation as people name it."""

    device_id: str  # the store's device id: every event and audit entry carries it
    center_code: str  # the center cases are accepted for (a sub-center accepts for its center)
    site_code: str  # where the counter stands: a center or a sub-center
    number: int  # 1–999, part of every case number issued here
    site_name: str  # e.g. 天平路街道社区事务受理服务中心
    center_name: str

    @property
    def name(self) -> str:
        return f"{self.number}号窗口"


@dataclass(frozen=True)
class CounterContext:
    data_dir: Path
    settings: Settings
    store: Store
    geography: Geography
    catalog: Catalog
    calendar: WorkingCalendar
    station: Station
    clock: Clock = shanghai_now

    def now(self) -> datetime:
        """The current moment in Shanghai time (the clock must give aware datetimes)."""
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the counter's clock must give timezone-aware datetimes")
        return moment.astimezone(SHANGHAI)

    def today(self) -> date:
        return self.now().date()

    def close(self) -> None:
        self.store.close()


def open_counter(
    directory: Path,
    *,
    clock: Clock = shanghai_now,
    catalog: Catalog | None = None,
    geography: Geography | None = None,
) -> CounterContext:
    """The counter of the workstation set up in `directory`; NotConfigured when there is none."""
    with service_errors():
        settings = load_settings(directory)
        if settings is None:
            raise NotConfigured(NOT_CONFIGURED)
        path = store_path(directory)
        if not path.is_file():
            # open_store would create an empty store, hiding that the real one went missing.
            raise ServiceError(f"数据目录中缺少存储文件：{path}，请联系管理员")
        store = open_store(path)
    try:
        return _context(directory, settings, store, clock, catalog, geography)
    except BaseException:
        store.close()
        raise


def _synced_catalog(session: Session, revision: str | None) -> Catalog | None:
    """The catalog revision sync made this workstation's (stored in the store), if any."""
    content = None if revision is None else catalog_revision_content(session, revision)
    if content is None:
        return None
    try:
        return parse_catalog(content, file_name=f"catalog-{revision}")
    except CatalogError as error:
        raise ServiceError(f"同步取得的事项目录 {revision} 无法读取：{error}") from None


def _context(
    directory: Path,
    settings: Settings,
    store: Store,
    clock: Clock,
    catalog: Catalog | None,
    geography: Geography | None,
) -> CounterContext:
    geography = geography or shanghai()
    with service_errors():
        with store.reading() as session:
            workstation = get_workstation(session)
            if catalog is None and workstation.catalog_revision != default_catalog().revision:
                catalog = _synced_catalog(session, workstation.catalog_revision)
        catalog = catalog or default_catalog()
        if not geography.is_site(workstation.site_code):
            raise ServiceError(f"本工作站登记的受理点代码 {workstation.site_code} 不在地区表中")
        if workstation.catalog_revision != catalog.revision:
            with store.transaction() as session:
                set_catalog_revision(session, catalog.revision)
    station = Station(
        device_id=workstation.device_id,
        center_code=workstation.center_code,
        site_code=workstation.site_code,
        number=workstation.number,
        site_name=geography.site_name(workstation.site_code),
        center_name=geography.center(workstation.site_code).name,
    )
    return CounterContext(
        data_dir=directory,
        settings=settings,
        store=store,
        geography=geography,
        catalog=catalog,
        calendar=WorkingCalendar(catalog.holiday_tables),
        station=station,
        clock=clock,
    )
