"""What every command shares: one-line errors, date arguments, JSON or text output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from tongban.models.clock import shanghai_today

if TYPE_CHECKING:
    from tongban.models.catalog import Catalog


class CliError(Exception):
    """A user's mistake or an unusable input: printed as one line, exit code 2 by default."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit code 2, never a wall of usage text."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"参数错误：{message}（用 --help 查看用法）")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD：{text}") from None


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        type=Path,
        metavar="FILE",
        help="使用指定的事项目录文件（默认：随程序发布的目录）",
    )


def catalog_from(args: argparse.Namespace) -> Catalog:
    # Imported here: the commands that open the window must not pay for the catalog's parser.
    from tongban.models.catalog import CatalogError, default_catalog, load_catalog

    try:
        return load_catalog(args.catalog) if args.catalog else default_catalog()
    except CatalogError as error:
        raise CliError(f"事项目录无效：{error}") from None


def day_or_today(value: date | None) -> date:
    return value if value is not None else shanghai_today()


def emit(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> None:
    """Print `data` as JSON when --json was given, otherwise as the text a person reads."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(text(data).rstrip("\n") + "\n")
