"""Program versions the central service announces, and whether a workstation is too old.

The central administrator sets two versions (`tongban central versions`): the current release and
the minimum a workstation must run. The service announces both to every workstation; one below
the minimum tells whoever is logged in, in Chinese, and keeps working (downloading and installing
an update is IT's job). Versions are PEP 440 (`0.1.0`, `1.2.0rc1`) and compared as such, so
`0.10.0` is newer than `0.9.0`.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from functools import cache

from packaging.version import InvalidVersion, Version

MAX_VERSION_LENGTH = 32  # the wire and both stores keep at most this many characters


class VersionError(ValueError):
    """A version an administrator gave that cannot be announced; the message is zh_CN."""


@dataclass(frozen=True)
class AppVersions:
    """What the central service announces; None: not announced (an older service, or unset)."""

    current: str | None = None
    minimum: str | None = None


@cache
def installed_version() -> str:
    """This program's version as installed ("unknown" when run from an uninstalled tree)."""
    try:
        return importlib.metadata.version("tongban")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def parse_version(text: str) -> Version:
    """A PEP 440 version; VersionError (zh_CN) when it is not one."""
    if len(text) > MAX_VERSION_LENGTH:
        raise VersionError(f"版本号过长（最多 {MAX_VERSION_LENGTH} 个字符）：{text}")
    try:
        return Version(text)
    except InvalidVersion:
        raise VersionError(f"版本号格式不正确（应如 0.2.0）：{text}") from None


def checked_announcement(current: str, minimum: str) -> AppVersions:
    """The two versions, normalised, when the minimum is not above the current release."""
    newest, lowest = parse_version(current.strip()), parse_version(minimum.strip())
    if lowest > newest:
        raise VersionError(f"最低版本 {lowest} 不能高于当前版本 {newest}")
    return AppVersions(current=str(newest), minimum=str(lowest))


def below_minimum(installed: str, minimum: str | None) -> bool:
    """True when the installed program is older than the announced minimum.

    A version that cannot be compared (a development checkout reports "unknown", an announcement
    from a newer service in a form this one does not read) never raises the alarm: the warning is
    for a clear case, not a guess.
    """
    if not minimum:
        return False
    try:
        return Version(installed) < Version(minimum)
    except InvalidVersion:
        return False


def update_notice(installed: str, announced: AppVersions) -> str:
    """The warning a workstation below the minimum shows (zh_CN); "" when all is well."""
    if not below_minimum(installed, announced.minimum):
        return ""
    newest = f"，当前版本为 {announced.current}" if announced.current else ""
    return (
        f"本机程序版本 {installed} 低于中心要求的最低版本 {announced.minimum}{newest}。"
        "请通知信息技术人员尽快更新；在此之前本机照常受理，已受理的办件不受影响。"
    )
