"""Reading a catalog revision file, with errors that name the file, the item and the field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tongban.models.catalog.schema import Catalog

# The revision shipped with the program; administrators publish newer ones centrally.
DEFAULT_REVISION = "2018-07-01"

# libyaml reads the bundled revision (about 3,800 lines) in a fifth of the time the pure-Python
# parser takes, and every process and every catalog check pays for it.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong in a catalog file, precise enough for an administrator to find it."""

    file: str
    item: str | None  # the item code, when the problem is inside an item
    field: str  # dotted path inside the item (or the file), e.g. materials[2].condition
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.item:
            where += f" 事项 {self.item}"
        if self.field:
            where += f" 字段 {self.field}"
        return f"{where}: {self.message}"


class CatalogError(Exception):
    """A catalog file that cannot be used. Nothing of it is loaded."""

    def __init__(self, problems: list[CatalogProblem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "事项目录无效"
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        super().__init__(first + more)


def default_catalog_path() -> Path:
    data = resources.files("tongban.models") / "data" / "catalog" / f"{DEFAULT_REVISION}.yaml"
    return Path(str(data))


@cache
def default_catalog() -> Catalog:
    """The bundled revision, parsed once per process."""
    return load_catalog(default_catalog_path())


def load_catalog(path: Path) -> Catalog:
    """Parse and validate one revision file. Raises CatalogError, never a bare parser error."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([CatalogProblem(name, None, "", "文件不存在")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([CatalogProblem(name, None, "", f"无法读取：{exc}")]) from None
    return parse_catalog(text, file_name=name)


def parse_catalog(text: str, *, file_name: str) -> Catalog:
    try:
        raw = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else ""
        # PyYAML's own text spans lines and repeats the position: keep its problem only.
        detail = getattr(exc, "problem", None) or type(exc).__name__
        problem = CatalogProblem(file_name, None, line, f"不是有效的 YAML（{detail}）")
        raise CatalogError([problem]) from None
    if not isinstance(raw, dict):
        problem = CatalogProblem(file_name, None, "", "文件顶层必须是映射（revision, items …）")
        raise CatalogError([problem])
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(_problems(exc, raw, file_name)) from None


def _problems(exc: ValidationError, raw: dict[str, Any], file_name: str) -> list[CatalogProblem]:
    items = raw.get("items") if isinstance(raw.get("items"), list) else []
    problems = []
    for error in exc.errors():
        # A rule checked on a whole model carries the path of the field at fault (schema._invalid).
        loc = [*error["loc"], *error.get("ctx", {}).get("at", ())]
        item_code = None
        if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int):
            index = loc[1]
            entry = items[index] if index < len(items) else None
            code = entry.get("code") if isinstance(entry, dict) else None
            item_code = str(code) if code else f"第 {index + 1} 项"
            loc = loc[2:]
        message = error["msg"].removeprefix("Value error, ")
        problems.append(CatalogProblem(file_name, item_code, _dotted(loc), message))
    return problems


def _dotted(loc: list[str | int]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
