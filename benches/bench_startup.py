"""Counter start-up against a bare Qt window, and what a typical intake costs the clerk.

Start-up: cold start of a fresh `python -c` process to the login page painted. The app's child
imports tongban.desktop.app and calls start_counter on a prepared demo data directory, as
run_counter does: the start-up login page shows first, and the worker thread opens the store
behind it. The bare child imports the same PySide6 modules the app has loaded by the end (the
app's child reports them) and shows a QMainWindow with one label. Both print monotonic
timestamps; the parent takes the spawn time just before starting each, so interpreter start-up
counts for both. Both run with their bytecode cached (PYTHONPYCACHEPREFIX, one warm-up run
each), as an installed application is; the runs then alternate. `names_at_paint` says whether
the first paint already showed the workstation's name (read from the settings file). `ready` is
when the counter window, on the opened store, has taken the page's place and painted: from then
on a login is answered at once. `tongban_demo_command_s` is the same for the whole command a
clerk runs (`tongban demo --data-dir DIR`: the command line, the demo check, run_counter).
Goal: painted median ≤ 1.3 × the bare window's.

Intake: in this process, offscreen, on a second demo with the real password hashing and clock,
the end-to-end test's direct-item path (tests/counter_driver.py): log in, the ID typed by hand,
name by input method, phone, household street by pinyin, 敬老卡申领 by its initials, one material
ticked, F5, Enter to print, F12 — twice (two applicants). It counts the key events and input
method commits the clerk sends, and times every service call the window makes.

    python benches/bench_startup.py [--runs N]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

GOAL_RATIO = 1.3
TIMEOUT_S = 120

# Shared by the children: stamps the first paint of `widget`, and when `ready()` holds after a
# paint of `ready_widget`; then quits. `watch_start` follows the start-up page to the window.
_WATCH = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer

class Watch(QObject):
    def __init__(self, app, widget, ready_widget, ready, label=None):
        super().__init__()
        self.app, self.ready, self.label = app, ready, label
        self.stamps, self.names_at_paint = {}, None
        widget.installEventFilter(self)
        ready_widget.installEventFilter(self)
        QTimer.singleShot(30000, app.quit)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            if "painted" not in self.stamps:
                self.stamps["painted"] = time.monotonic()
                self.names_at_paint = bool(self.label and self.label.text())
            if self.ready():
                self.stamps.setdefault("ready", time.monotonic())
                QTimer.singleShot(0, self.app.quit)
        return False

def watch_start(app, start):
    page = start.page.login_view
    watch = Watch(app, page, page, lambda: False, label=page.site)

    def look():
        if start.window is None:
            QTimer.singleShot(5, look)
            return
        watch.ready = lambda: True
        start.window.login_view.installEventFilter(watch)
        start.window.login_view.update()

    QTimer.singleShot(0, look)
    return watch
"""

APP_CHILD = (
    "import time\nstarted = time.monotonic()\n"
    + _WATCH
    + """
from pathlib import Path
from tongban.desktop.app import create_application, start_counter
imported = time.monotonic()
app = create_application(sys.argv[:1])
start = start_counter(Path(sys.argv[1]))
built = time.monotonic()
watch = watch_start(app, start)
app.exec()
qt = sorted(name for name in sys.modules if name.startswith("PySide6."))
stamps = dict(started=started, imported=imported, built=built, **watch.stamps)
print(json.dumps({"stamps": stamps, "qt_modules": qt, "names_at_paint": watch.names_at_paint}))
if start.window is not None:
    start.window.close()
start.close()
"""
)

# `tongban demo --data-dir DIR` as a clerk starts it; start_counter is wrapped to watch the page.
CLI_CHILD = (
    "import time\nstarted = time.monotonic()\n"
    + _WATCH
    + """
import tongban.desktop.app as application
from PySide6.QtWidgets import QApplication
shown = {}

def start_counter(directory):
    start = original(directory)
    shown["watch"] = watch_start(QApplication.instance(), start)
    shown["start"] = start
    return start

original, application.start_counter = application.start_counter, start_counter
from tongban.cli import main
code = main(["demo", "--data-dir", sys.argv[1]])
print(json.dumps({"stamps": dict(started=started, **shown["watch"].stamps), "code": code}))
"""
)

BARE_CHILD = (
    "import time\nstarted = time.monotonic()\n"
    + _WATCH
    + """
import importlib
for name in sys.argv[1].split(","):
    importlib.import_module(name)
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
imported = time.monotonic()
app = QApplication(sys.argv[:1])
window = QMainWindow()
label = QLabel("通办 · 社区事务受理服务中心")
window.setCentralWidget(label)
built = time.monotonic()
watch = Watch(app, label, label, lambda: True)
window.showMaximized()
app.exec()
stamps = dict(started=started, imported=imported, built=built, **watch.stamps)
print(json.dumps({"stamps": stamps}))
"""
)


def child_environment(pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed application has its bytecode
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_child(code: str, argument: str, env: dict[str, str]) -> dict[str, Any]:
    spawned = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, argument],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-2000:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    stamps = answer["stamps"]
    answer["since_spawn"] = {key: stamps[key] - spawned for key in stamps}
    return answer


def startup(runs: int) -> dict[str, Any]:
    from tongban.desktop.services import prepare_demo

    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as folder:
        demo = Path(folder) / "demo"
        prepare_demo(demo)
        env = child_environment(Path(folder) / "pycache")
        warm = run_child(APP_CHILD, str(demo), env)  # also writes the bytecode cache
        qt_modules = ",".join(warm["qt_modules"])
        run_child(BARE_CHILD, qt_modules, env)
        run_child(CLI_CHILD, str(demo), env)
        app_runs, bare_runs, cli_runs, names = [], [], [], []
        for _ in range(runs):
            answer = run_child(APP_CHILD, str(demo), env)
            app_runs.append(answer["since_spawn"])
            names.append(answer["names_at_paint"])
            bare_runs.append(run_child(BARE_CHILD, qt_modules, env)["since_spawn"])
            cli_runs.append(run_child(CLI_CHILD, str(demo), env)["since_spawn"])
    app_painted = statistics.median(run["painted"] for run in app_runs)
    bare_painted = statistics.median(run["painted"] for run in bare_runs)
    cli_painted = statistics.median(run["painted"] for run in cli_runs)
    ratio = round(app_painted / bare_painted, 2)
    print(
        f"login page painted: app {app_painted:.3f} s, bare window {bare_painted:.3f} s, "
        f"ratio {ratio}× (goal ≤ {GOAL_RATIO}×); tongban demo {cli_painted:.3f} s, "
        f"ratio {cli_painted / bare_painted:.2f}×",
        file=sys.stderr,
    )
    return {
        "runs": runs,
        "qt_modules": warm["qt_modules"],
        "names_at_paint": all(names),  # the warm-up, the first start, wrote them
        "app_s": _medians(app_runs),
        "bare_s": _medians(bare_runs),
        "tongban_demo_command_s": _medians(cli_runs),
        "ratio_painted": ratio,
        "ratio_demo_command_painted": round(cli_painted / bare_painted, 2),
        "goal_ratio": GOAL_RATIO,
        "meets_goal": app_painted <= GOAL_RATIO * bare_painted,
    }


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    keys = runs[0].keys()
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in keys}


class TimedServices:
    """Passes every call through to the services and records how long it took."""

    def __init__(self, services: object) -> None:
        self._services = services
        self.calls: list[tuple[str, float]] = []

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._services, name)
        if not callable(found):
            return found

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return found(*args, **kwargs)
            finally:
                self.calls.append((name, (time.perf_counter() - started) * 1000))

        return timed


def intake() -> dict[str, Any]:
    from PySide6.QtCore import Qt

    from counter_driver import Applicant, Clerk, resident_id
    from tongban.desktop.app import create_application, start_window
    from tongban.desktop.services import Counter, open_counter, prepare_demo

    app = create_application(sys.argv[:1])
    people = [
        Applicant(resident_id("310104", date(1950, 1, 1), 123), "李建国", "13800138000", "tpl"),
        Applicant(resident_id("310104", date(1948, 6, 9), 218), "王秀英", "13700137000", "tpl"),
    ]
    with tempfile.TemporaryDirectory(prefix="tongban-bench-") as folder:
        prepare_demo(Path(folder))
        context = open_counter(Path(folder))
        services = TimedServices(Counter(context, printer=lambda _pdf, _title, _printer: None))
        window = start_window(context, services=services)  # type: ignore[arg-type]
        try:
            window.resize(1366, 768)
            clerk = Clerk(window)
            clerk.back_to_window()
            clerk.settle()
            clerk.log_in("1001")
            session_calls = len(services.calls)
            rounds = [_one_intake(clerk, services, person, Qt) for person in people]
        finally:
            window.close()
            context.close()
    app.processEvents()
    return {
        "path": "login once; per applicant: ID by hand, name (IME), phone, street pinyin, "
        "item initials, 1 material, F5, Enter (print), F12",
        "login_calls_ms": _by_name(services.calls[:session_calls]),
        "intakes": rounds,
    }


def _one_intake(clerk: Any, services: TimedServices, person: Any, qt: Any) -> dict[str, Any]:
    keys_before, commits_before, calls_before = clerk.keys, len(clerk.commits), len(services.calls)
    started = time.perf_counter()
    clerk.identify(person, by_hand=True)
    clerk.pick_item("jlksl")
    clerk.tick_materials(1)
    clerk.decide(qt.Key.Key_F5)
    clerk.print_document()
    clerk.next_applicant()
    wall = time.perf_counter() - started
    commits = clerk.commits[commits_before:]
    calls = services.calls[calls_before:]
    return {
        "key_events": clerk.keys - keys_before,
        "ime_commits": len(commits),
        "ime_characters": sum(len(text) for text in commits),
        "service_calls_ms": _by_name(calls),
        "service_total_ms": round(sum(ms for _name, ms in calls), 1),
        "driven_wall_s": round(wall, 2),  # includes 45 ms between the ID's typed keys
    }


def _by_name(calls: list[tuple[str, float]]) -> list[list[Any]]:
    return [[name, round(ms, 1)] for name, ms in calls]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="counter start-up and intake cost")
    parser.add_argument("--runs", type=int, default=7, help="alternating start-up pairs")
    args = parser.parse_args(argv)
    measure: dict[str, Callable[[], Any]] = {
        "startup": lambda: startup(max(args.runs, 1)),
        "intake": intake,
    }
    result: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpu",
        "qt_platform": os.environ.get("QT_QPA_PLATFORM", ""),
    }
    for name, run in measure.items():
        print(f"measuring {name}…", file=sys.stderr)
        result[name] = run()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
