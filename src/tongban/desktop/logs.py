"""The workstation's diagnostic log: one file per day in the data directory, ID numbers masked.

The window's task runner logs the tracebacks of failed work, and an exception's text may quote an
applicant's identity number. PIPL asks that a log never hold one: every record that reaches the
file passes `MaskIdentityNumbers`, which masks anything shaped like a 15- or 18-character number
in the message, its arguments and its traceback.

Retention: the Network Security Law asks for logs kept at least six months; a file a day, 190 of
them, keeps a little more than that. What clerks did (logins, cases, searches) is recorded in the
store's audit trail, not here: this file is for diagnosing faults.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

LOG_DIRECTORY = "logs"
LOG_FILE = "tongban.log"
KEEP_DAYS = 190
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# 18 characters (resident IDs, HK/Macao/Taiwan residence permits, the 2023 permanent residence
# card), 15 digits (old resident IDs) or 3 letters and 12 digits (the 2017 permanent residence
# card), standing alone: a longer run of letters or digits is something else (a hash, a UUID).
_ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15}|[A-Za-z]{3}\d{12})(?![0-9A-Za-z])")
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
QtMessageHandler = Callable[[QtMsgType, QMessageLogContext, str], object]


def mask_id_numbers(text: str) -> str:
    """Every ID-shaped run starred as screens and paper show it (models.rules.mask_identity):
    18 characters keep the first 6 and the last 4, 15 keep 2 at each end."""

    def masked(match: re.Match[str]) -> str:
        number = match.group(0)
        head, tail = (6, 4) if len(number) == 18 else (2, 2)
        return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]

    return _ID_SHAPED.sub(masked, text)


class MaskIdentityNumbers(logging.Filter):
    """Masks ID-shaped numbers in a record's message and traceback before any handler writes it.

    Attach it to the handler (not a logger): a handler's filters see every record it writes,
    whichever logger the record came from.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message: keep both
            message = f"{record.msg} {record.args}"
        record.msg = mask_id_numbers(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers(record.stack_info)
        return True


def open_log(data_dir: Path) -> logging.Handler:
    """Send the application's log (INFO and above) to the data directory's daily file.

    When the directory cannot be written the log goes to stderr instead, masked all the same: the
    counter still opens, and the reason is the first line of that log.
    """
    handler: logging.Handler
    try:
        directory = data_dir / LOG_DIRECTORY
        directory.mkdir(parents=True, exist_ok=True)
        handler = TimedRotatingFileHandler(
            directory / LOG_FILE, when="midnight", backupCount=KEEP_DAYS, encoding="utf-8"
        )
        problem = None
    except OSError as error:
        handler = logging.StreamHandler(sys.stderr)
        problem = f"无法写入日志目录 {data_dir / LOG_DIRECTORY}：{error.strerror or error}"
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(MaskIdentityNumbers())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    if problem:
        logging.getLogger(__name__).warning(problem)
    return handler


def close_log(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()


QT_FATAL = "通办无法打开窗口：图形界面出现致命错误，程序将退出。详见数据目录下的 logs/tongban.log"
QT_NO_PLATFORM = (
    "通办无法打开窗口：Qt 的平台插件未能加载（Linux 上多因缺少 libxcb-cursor0 等系统库）。"
    "详见数据目录下的 logs/tongban.log"
)


def log_qt_messages() -> QtMessageHandler | None:
    """Qt's own warnings go to the log (masked) instead of straight to stderr; returns the
    handler that was installed before (None: Qt's default), to put back at the end."""
    return qInstallMessageHandler(qt_message)


def qt_message(kind: QtMsgType, _context: QMessageLogContext | None, message: str) -> None:
    """One of Qt's messages, to the log. A fatal one ends the process as soon as this returns
    (Qt aborts), so the person who started it also gets one line on stderr saying so."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), message)
    if kind == QtMsgType.QtFatalMsg:
        reason = QT_NO_PLATFORM if "platform plugin" in message else QT_FATAL
        print(f"tongban: {reason}", file=sys.stderr, flush=True)


def restore_qt_messages(previous: QtMessageHandler | None) -> None:
    qInstallMessageHandler(previous)


def log_uncaught_exceptions() -> ExceptHook:
    """An exception no slot caught is logged (masked), not printed; returns the previous hook."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        logging.getLogger("tongban").critical("未处理的异常", exc_info=(kind, error, trace))

    sys.excepthook = hook
    return previous
