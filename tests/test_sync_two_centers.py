"""Two centers over a PostgreSQL central: a 收受分离 case accepted at a sub-center of one center
for a household of the other reaches the processing center, and its answer comes back."""

from datetime import timedelta
from pathlib import Path

from sync_support import CENTER_B, T0, FakeClock, Server, central_event_ids, new_desk
from tongban.models.routing import Decision, route
from tongban.models.store import Approved, EventKind, case_events, load_case

HUINAN = "310115131"  # 惠南镇社区事务受理服务中心 (浦东)
HUINAN_FIRST_SUB_CENTER = "31011513101"
B_STREET = "310105001"  # a street of 长宁 华阳路, served by center B

pytest_plugins = ("sync_support",)  # the live central service fixtures


def test_a_sub_center_case_for_another_center(
    pg_central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a = new_desk(
        pg_central, tmp_path, HUINAN, "分中心1号窗口", clock=clock, site=HUINAN_FIRST_SUB_CENTER
    )
    b = new_desk(pg_central, tmp_path, CENTER_B, "1号窗口", clock=clock)
    assert a.context.station.site_code == HUINAN_FIRST_SUB_CENTER
    routing = route(
        geography=a.context.geography,
        catalog=a.context.catalog,
        site=a.context.station.site_code,
        item=a.context.catalog.item("MZ003"),
        household_street=B_STREET,
        residence_street=None,
        on=T0.date(),
    )
    assert routing.decision is Decision.FORWARD and routing.processing_center == CENTER_B

    case = a.accept(processing_center=CENTER_B, household_street=B_STREET)
    assert a.sync().accepted == 1
    assert b.sync().pulled == 1
    with b.store.reading() as session:
        state = load_case(session, case)
    assert state is not None
    assert (state.processing_center, state.accepting_site) == (CENTER_B, HUINAN_FIRST_SUB_CENTER)

    b.record(case, EventKind.APPROVED, Approved(), at=T0 + timedelta(hours=2))
    assert b.sync().accepted == 1
    assert a.sync().pulled == 1
    with a.store.reading() as session:
        assert [e.kind for e in case_events(session, case)] == ["accepted", "approved"]
    assert len(central_event_ids(pg_central.store)) == 2
