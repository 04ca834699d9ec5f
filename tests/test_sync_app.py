"""Background sync in the application: an enrolled workstation pushes what the counter records
without anyone syncing by hand; a demo starts no sync at all (live central service, SQLite)."""

import threading
from pathlib import Path

import pytest

from counter_support import (
    OTHER_DISTRICT_STREET,
    Clock,
    applicant,
    everything,
    fast_passwords,
    item_named,
    request,
    resident_id,
)
from sync_support import CENTER_A, FakeClock, Server, central_event_ids, new_desk
from test_sync_loop import eventually
from tongban.central.clerks import ClerkRole as CentralRole
from tongban.desktop.opening import OpenedCounter, open_workstation
from tongban.desktop.services import (
    DEMO_PASSWORD,
    Counter,
    ServiceError,
    open_counter,
    prepare_demo,
)
from tongban.desktop.settings import load_settings, save_settings
from tongban.models.store import case_events
from tongban.models.store.clerks import ClerkRole, add_clerk
from tongban.ui.ports import SyncState

pytest_plugins = ("sync_support",)  # the live central service fixtures

CLERK = "9001"
PASSWORD = "Tongban-2026"


def enrolled_workstation(central: Server, tmp_path: Path, clock: FakeClock) -> Path:
    """A data directory set up with an enrollment code, where a clerk of the center can log in
    at once (as if the center's accounts had been pulled already)."""
    desk = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    hashed = fast_passwords().hash(PASSWORD)
    # The central service accepts events only from clerks of the center it knows.
    central.store.add_clerk(
        number=CLERK,
        name="测试员",
        role=CentralRole.CLERK,
        center_code=CENTER_A,
        password_hash=hashed,
    )
    try:
        with desk.store.transaction() as session:
            add_clerk(
                session,
                number=CLERK,
                name="测试员",
                role=ClerkRole.CLERK,
                center_code=CENTER_A,
                password_hash=hashed,
            )
    finally:
        desk.context.close()
    return desk.context.data_dir


def sync_names(before: set[threading.Thread]) -> set[str]:
    """The sync threads alive now that were not alive at `before`."""
    new = set(threading.enumerate()) - before
    return {thread.name for thread in new if thread.name.startswith("tongban-sync")}


def accept_one(opened: OpenedCounter) -> list[str]:
    """Accept a case through the counter's services; the ids of the events it recorded."""
    assert opened.counter.login(CLERK, PASSWORD).ok
    item = item_named("敬老卡申领")
    case = opened.counter.accept(request(item, everything(item))).case_number
    with opened.context.store.reading() as session:
        return [event.id for event in case_events(session, case)]


def test_an_accept_reaches_the_central_store_without_syncing_by_hand(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = enrolled_workstation(central, tmp_path, clock)
    before = set(threading.enumerate())
    opened = open_workstation(data_dir, clock=Clock(), long_poll_wait=1)
    try:
        assert opened.sync is not None
        recorded = accept_one(opened)
        assert recorded

        def delivered() -> bool:
            return set(recorded) <= set(central_event_ids(central.store))

        eventually(delivered, timeout=5)
        assert sync_names(before) == {"tongban-sync-push", "tongban-sync-pull"}
        eventually(lambda: opened.counter.sync_state().pending == 0)
        # Online once a round has gone through; a round that met a busy central database (SQLite,
        # 503) shows offline until the next, a moment later.
        eventually(lambda: opened.counter.sync_state().online is True)
        state = opened.counter.sync_state()
        assert state.problems == 0 and state.last_contact is not None
    finally:
        opened.close()
    assert sync_names(before) == set()  # both threads ended when the counter closed


@pytest.mark.parametrize("demo", [True, False])
def test_without_a_server_no_background_sync_starts(tmp_path: Path, demo: bool) -> None:
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    settings = load_settings(tmp_path)
    assert settings is not None and settings.server_url is None
    save_settings(tmp_path, settings.model_copy(update={"demo": demo}))
    opened = open_workstation(tmp_path, clock=Clock())
    try:
        assert opened.sync is None
        assert opened.counter.sync_state() == SyncState(None, 0, 0, None)
    finally:
        opened.close()


def test_every_recorded_decision_wakes_background_sync(tmp_path: Path) -> None:
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    context = open_counter(tmp_path, clock=Clock())
    woken: list[str] = []
    counter = Counter(context, passwords=fast_passwords(), on_recorded=lambda: woken.append("x"))
    try:
        assert counter.login("1001", DEMO_PASSWORD).ok
        card = item_named("敬老卡申领")
        with pytest.raises(ServiceError):
            counter.accept(request(card, {}))  # nothing recorded: no wake-up
        assert woken == []
        case = counter.accept(request(card, everything(card))).case_number
        counter.notify(request(item_named("最低生活保障"), {}))
        counter.refuse(request(card, {}), "申请人不属于本事项的申请对象")
        elsewhere = applicant(household=OTHER_DISTRICT_STREET, id_number=resident_id("310105"))
        counter.guide(request(item_named("廉租住房申请"), {}, elsewhere))
        assert counter.receipt(case) is not None
        assert len(woken) == 5
    finally:
        context.close()


def test_a_failing_wake_up_does_not_undo_the_accept(tmp_path: Path) -> None:
    prepare_demo(tmp_path, clock=Clock(), passwords=fast_passwords())
    context = open_counter(tmp_path, clock=Clock())

    def broken() -> None:
        raise RuntimeError("sync is gone")

    counter = Counter(context, passwords=fast_passwords(), on_recorded=broken)
    try:
        assert counter.login("1001", DEMO_PASSWORD).ok
        card = item_named("敬老卡申领")
        assert counter.accept(request(card, everything(card))).case_number
        assert counter.sync_state().pending == 2  # the case and its receipt, kept for sync
    finally:
        context.close()
