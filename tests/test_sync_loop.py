"""Background sync: push on wake-up, long-poll pull, offline status and backoff (SQLite central)."""

import time
from collections.abc import Callable
from pathlib import Path

from sync_support import CENTER_A, CENTER_B, Desk, FakeClock, Server, new_desk
from tongban.desktop.sync.loop import SyncLoop
from tongban.models.store import load_case

pytest_plugins = ("sync_support",)  # the live central service fixtures


def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def background(desk: Desk) -> SyncLoop:
    # A long push interval: only a wake-up can make the push happen within the test.
    loop = SyncLoop(desk.context, desk.client, push_interval=60, wait=1, first_backoff=0.2)
    loop.start()
    return loop


def test_an_accept_reaches_the_other_center_in_the_background(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    b = new_desk(central, tmp_path, CENTER_B, "1号窗口", clock=clock)
    loops = [background(a), background(b)]
    try:
        case = a.accept(processing_center=CENTER_B)
        loops[0].wake()

        def arrived() -> bool:
            with b.store.reading() as session:
                return load_case(session, case) is not None

        eventually(arrived)
        eventually(lambda: loops[0].status().pending == 0)
        status = loops[0].status()
        assert status.online and status.last_contact is not None and status.problems == 0
    finally:
        for loop in loops:
            loop.stop()


def test_offline_shows_and_recovers(central: Server, tmp_path: Path, clock: FakeClock) -> None:
    a = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    loop = background(a)
    try:
        eventually(lambda: loop.status().online is True)
        central.stop()
        a.accept()
        loop.wake()
        eventually(lambda: loop.status().online is False)
        assert loop.status().pending == 1 and "无法连接" in loop.status().message
        central.start()
        loop.wake()
        eventually(lambda: loop.status().online is True and loop.status().pending == 0)
    finally:
        loop.stop()


def test_each_thread_keeps_its_client_while_the_server_answers(
    central: Server, tmp_path: Path, clock: FakeClock
) -> None:
    a = new_desk(central, tmp_path, CENTER_A, "1号窗口", clock=clock)
    made = []

    def counting_client():
        client = a.client()
        made.append(client)
        return client

    loop = SyncLoop(a.context, counting_client, push_interval=60, wait=1, first_backoff=0.2)
    loop.start()
    try:
        for _ in range(3):
            a.accept()
            loop.wake()
            eventually(lambda: loop.status().pending == 0)
    finally:
        loop.stop()
    # A new HTTP client costs most of an online round: one for pushing, one for pulling.
    assert len(made) == 2
