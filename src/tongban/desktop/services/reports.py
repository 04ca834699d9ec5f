"""The supervisor's intake reports: from the central service, or offline from this store.

`Reports.intake(first, last)` asks the central service (GET /v1/reports/…, over the device
token) for the whole center's figures. When the service cannot be reached, or this workstation
has no server, the report is made from the local store instead — this workstation's events and
what it had pulled from the center — and marked partial, with the reason, so that every format
says the figures may be incomplete. Both ways count with tongban.models.reports.build_report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from tongban.desktop.secrets import SecretsError
from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.sync.client import SyncClient, SyncError
from tongban.desktop.sync.setup import SetupError, connect
from tongban.models.app_versions import installed_version
from tongban.models.reports import (
    IntakeReport,
    Period,
    PeriodError,
    WorkstationHealth,
    build_report,
)
from tongban.models.store.report_facts import local_report_facts
from tongban.models.store.sync_state import get_sync_state, pending_count

Connect = Callable[[], SyncClient]
STANDALONE = "本工作站未接入中心同步服务，仅含本工作站的数据"


class Reports:
    def __init__(self, context: CounterContext, *, connect_to: Connect | None = None) -> None:
        self._context = context
        self._connect = connect_to or (lambda: connect(context.data_dir, context.settings))

    def intake(
        self, first: date, last: date | None = None, *, center: str | None = None
    ) -> IntakeReport:
        """The center's report for `first` (to `last`); only this workstation's center."""
        own = self._context.station.center_code
        if center is not None and center != own:
            raise ServiceError(f"只能查看本中心（{own}）的报表")
        try:
            period = Period(first, last or first)
        except PeriodError as error:
            raise ServiceError(str(error)) from None
        if not self._context.settings.server_url:
            return self.local(period, STANDALONE)
        try:
            with self._connect() as client:
                return client.intake_report(own, period.first, period.last)
        except SyncError as error:
            if not error.retryable:
                raise ServiceError(str(error)) from None
            return self.local(period, f"{error}；仅含本工作站已有的数据")
        except (SetupError, SecretsError) as error:
            raise ServiceError(str(error)) from None

    def local(self, period: Period, reason: str) -> IntakeReport:
        """The report from this store alone, marked partial with `reason`."""
        context = self._context
        station = context.station
        with service_errors(), context.store.reading() as session:
            facts = local_report_facts(
                session,
                center=station.center_code,
                center_name=station.center_name,
                period=period,
                partial_reason=reason,
                workstations=(self._health(session),),
            )
        return build_report(
            facts, catalog=context.catalog, calendar=context.calendar, prepared_at=context.now()
        )

    def _health(self, session: Session) -> WorkstationHealth:
        station = self._context.station
        state = get_sync_state(session)
        offset = state.server_offset_ms
        return WorkstationHealth(
            number=station.number,
            name=station.name,
            site_code=station.site_code,
            status="quarantined" if state.quarantined else "active",
            last_contact=state.last_contact_at,
            app_version=installed_version(),
            pending_events=pending_count(session),
            # The sync state keeps the server's clock minus ours; the report, ours minus its.
            clock_offset_seconds=None if offset is None else -offset / 1000,
        )
