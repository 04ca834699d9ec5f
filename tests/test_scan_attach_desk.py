"""附扫描件 behind the 办件 view: where the file chooser starts (`tongban settings set
scan-folder`), and at which centers and in which states a case offers the action."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from counter_support import Clock, fast_passwords
from tongban.desktop.cli import main
from tongban.desktop.services import Counter, open_counter, prepare_demo
from tongban.desktop.services.processing import CaseProgress
from tongban.desktop.services.processing_desk import ProcessingDesk, actions_here
from tongban.desktop.settings import load_settings
from tongban.models.clock import SHANGHAI
from tongban.models.store import CaseStatus
from tongban.ui.processing_ports import Action

HERE, OTHER, THIRD = "310101001", "310105001", "310104001"


def progress(status: CaseStatus, *, accepting: str, processing: str) -> CaseProgress:
    return CaseProgress(
        case_number="x",
        item_code="jlksl",
        item_name="敬老卡申领",
        applicant_name="李建国",
        applicant_id_masked="310104********1234",
        status=status.value,
        status_label="",
        accepting_center=accepting,
        processing_center=processing,
        collection_center=accepting,
        accepted_at=datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI),
        received=True,
        due=None,
        supplement_due=None,
        supplement_materials=(),
        overdue=False,
        supplement_overdue=False,
    )


@pytest.mark.parametrize("status", list(CaseStatus))
def test_scan_is_offered_while_open_at_the_accepting_or_processing_center(status):
    final = status in (CaseStatus.REJECTED, CaseStatus.COLLECTED, CaseStatus.CANCELLED)
    accepted_here = progress(status, accepting=HERE, processing=OTHER)
    processed_here = progress(status, accepting=OTHER, processing=HERE)
    collected_here = replace(
        progress(status, accepting=OTHER, processing=THIRD), collection_center=HERE
    )
    assert (Action.SCAN in actions_here(accepted_here, HERE)) is not final
    assert (Action.SCAN in actions_here(processed_here, HERE)) is not final
    assert Action.SCAN not in actions_here(collected_here, HERE)  # not a party to its scans


def test_the_chooser_starts_in_the_scan_folder_set_for_the_workstation(tmp_path, capsys):
    data, folder = tmp_path / "demo", tmp_path / "scanner out"
    prepare_demo(data, clock=Clock(), passwords=fast_passwords())
    assert main(["settings", "set", "scan-folder", str(folder), "--data-dir", str(data)]) == 0
    assert "已更改 scan-folder" in capsys.readouterr().out
    settings = load_settings(data)
    assert settings is not None and settings.scan_folder == str(folder)
    context = open_counter(data, clock=Clock())
    try:
        counter = Counter(context, passwords=fast_passwords(), printer=lambda *_: None)
        assert ProcessingDesk(context, counter.signed_in).scan_folder() == folder
    finally:
        context.close()
    assert main(["settings", "set", "scan-folder", "", "--data-dir", str(data)]) == 0
    settings = load_settings(data)
    assert settings is not None and settings.scan_folder is None


def test_without_a_scan_folder_the_chooser_starts_at_home(tmp_path):
    prepare_demo(tmp_path / "demo", clock=Clock(), passwords=fast_passwords())
    context = open_counter(tmp_path / "demo", clock=Clock())
    try:
        counter = Counter(context, passwords=fast_passwords(), printer=lambda *_: None)
        assert ProcessingDesk(context, counter.signed_in).scan_folder() == Path.home()
    finally:
        context.close()
