"""One error path for the services: everything a clerk should read becomes a ServiceError.

The window shows a ServiceError's message as it is, and the command line prints it as one line.
Storage faults (full disk, read-only or missing directory, damaged store file) are translated
here into short Chinese sentences; the store's transactions guarantee nothing was half written.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from tongban.desktop.settings import SettingsError
from tongban.models.rules import is_valid_case_number, normalise_case_number
from tongban.models.store import StoreError
from tongban.ui.ports import ServiceError

__all__ = ["ServiceError", "checked_case_number", "describe_storage_failure", "service_errors"]

_SQLITE_MESSAGES = (
    ("database or disk is full", "磁盘已满，本次操作未保存：请清理磁盘空间后重试"),
    ("readonly database", "数据目录不可写，本次操作未保存：请检查目录权限"),
    ("unable to open database file", "无法打开存储文件：数据目录不存在或不可访问"),
    ("file is not a database", "存储文件已损坏或不是本系统的文件，请联系管理员"),
    ("disk image is malformed", "存储文件已损坏，请联系管理员从备份恢复"),
    ("database is locked", "存储文件正被其他程序使用，请稍后重试"),
    ("disk i/o error", "读写磁盘出错，本次操作未保存：请检查磁盘"),
)
_OS_MESSAGES = {
    errno.ENOSPC: "磁盘已满，本次操作未保存：请清理磁盘空间后重试",
    errno.EDQUOT: "磁盘配额已满，本次操作未保存",
    errno.EACCES: "数据目录不可写，本次操作未保存：请检查目录权限",
    errno.EPERM: "数据目录不可写，本次操作未保存：请检查目录权限",
    errno.EROFS: "数据目录位于只读磁盘上，本次操作未保存",
}


def describe_storage_failure(error: BaseException) -> str:
    """A one-line Chinese description of a storage or file-system fault."""
    if isinstance(error, OSError) and error.errno in _OS_MESSAGES:
        return _OS_MESSAGES[error.errno]
    text = str(getattr(error, "orig", None) or error).lower()
    for fragment, message in _SQLITE_MESSAGES:
        if fragment in text:
            return message
    if isinstance(error, OSError):
        return f"读写数据目录出错：{error.strerror or error}"
    return "存储出错，本次操作未保存，请联系管理员"


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn the store's refusals and storage faults into ServiceError; let real faults through."""
    try:
        yield
    except ServiceError:
        raise
    except (StoreError, SettingsError) as error:
        raise ServiceError(str(error)) from error
    except (SQLAlchemyError, sqlite3.Error, OSError) as error:
        raise ServiceError(describe_storage_failure(error)) from error


def checked_case_number(text: str) -> str:
    """The case number a clerk typed or a script passed, normalised; ServiceError when it is not
    one (the text is cut to 30 characters in the message: it may be anything)."""
    number = normalise_case_number(text)
    if not is_valid_case_number(number):
        raise ServiceError(f"受理编号格式不正确：{text.strip()[:30]}")
    return number
