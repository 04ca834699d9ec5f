"""Property: whatever the order of accepts, syncs and lost answers, every replica converges.

Three workstations (two of center A, one of center B) accept cases for either center, sync, and
sometimes lose the answer to a push after the service committed it. In the end, after every
workstation has synced: nothing waits in an outbox, the central log holds each recorded event
exactly once, and each workstation holds exactly the events of the cases its center takes part
in (as accepting or processing center), with the same folded state as the others.
"""

from contextlib import suppress
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from sync_support import CENTER_A, CENTER_B, Desk, FakeClock, Server, central_event_ids, new_desk
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.desktop.sync.engine import sync_once
from tongban.models.store import case_events, load_case, pending_events
from tongban.models.store.schema import EventRow

pytest_plugins = ("sync_support",)  # the live central service fixtures


class LosingClient(SyncClient):
    """Delivers each push, then loses the answer."""

    def push(self, events):  # type: ignore[no-untyped-def]
        super().push(events)
        raise SyncError(SyncErrorKind.OFFLINE, "连接中断")


def token_of(desk: Desk) -> str:
    with desk.client() as client:
        return str(client._http.headers["Authorization"]).removeprefix("Bearer ")


def all_event_ids(desk: Desk) -> set[str]:
    with desk.store.reading() as session:
        return set(session.scalars(EventRow.__table__.select().with_only_columns(EventRow.id)))


def test_replicas_converge(central: Server, tmp_path: Path, clock: FakeClock) -> None:
    runs = iter(range(10_000))

    class Replicas(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            run = next(runs)
            self.desks = [
                new_desk(central, tmp_path, center, f"{run}-{n}号窗口", clock=clock)
                for n, center in enumerate((CENTER_A, CENTER_A, CENTER_B))
            ]
            self.cases: dict[str, set[str]] = {}  # case number → the centers taking part
            self.central_before = len(central_event_ids(central.store))  # earlier examples'

        @rule(who=st.integers(0, 2), for_b=st.booleans())
        def accept(self, who: int, for_b: bool) -> None:
            desk = self.desks[who]
            processing = CENTER_B if for_b else desk.center
            case = desk.accept(processing_center=processing)
            self.cases[case] = {desk.center, processing}

        @rule(who=st.integers(0, 2))
        def sync(self, who: int) -> None:
            self.desks[who].sync()

        @rule(who=st.integers(0, 2))
        def lose_an_answer(self, who: int) -> None:
            desk = self.desks[who]
            with LosingClient(central.url, token_of(desk)) as losing, suppress(SyncError):
                sync_once(desk.context, losing)

        def teardown(self) -> None:
            try:
                for _ in range(2):
                    for desk in self.desks:
                        assert desk.sync().pending == 0
                self.check()
            finally:
                for desk in self.desks:
                    desk.context.close()

        def check(self) -> None:
            on_central = central_event_ids(central.store)
            assert len(on_central) == len(set(on_central))
            own = set().union(*(self.own_ids(desk) for desk in self.desks))
            assert own <= set(on_central)
            assert len(on_central) - self.central_before == len(own) == len(self.cases)
            for desk in self.desks:
                with desk.store.reading() as session:
                    assert pending_events(session) == []
                    for case, centers in self.cases.items():
                        state = load_case(session, case)
                        if desk.center in centers:
                            assert state is not None
                            assert len(case_events(session, case)) == 1
                        else:
                            assert state is None

        @staticmethod
        def own_ids(desk: Desk) -> set[str]:
            with desk.store.reading() as session:
                rows = session.scalars(
                    EventRow.__table__.select()
                    .with_only_columns(EventRow.id)
                    .where(EventRow.workstation_id == desk.context.station.device_id)
                )
                return set(rows)

    run_state_machine_as_test(
        Replicas,
        settings=settings(
            max_examples=4,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
