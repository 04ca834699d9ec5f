"""The layer rules of docs/ARCHITECTURE.md, checked by import-linter on every test run."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# lint-imports' own entry point: `python -m importlinter.cli` has no __main__ and checks nothing.
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--config", str(config), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_contracts_hold() -> None:
    result = lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_is_caught(tmp_path: Path) -> None:
    # The check above must be able to fail: forbid something models really imports.
    config = tmp_path / "broken.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "tongban"\n\n'
        "[[tool.importlinter.contracts]]\n"
        'name = "models may not import the catalog (false on purpose)"\n'
        'type = "forbidden"\nsource_modules = ["tongban.models.routing"]\n'
        'forbidden_modules = ["tongban.models.catalog"]\n',
        encoding="utf-8",
    )
    result = lint_imports(config)
    assert result.returncode != 0 and "BROKEN" in result.stdout.upper()


def test_code_is_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benches", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
