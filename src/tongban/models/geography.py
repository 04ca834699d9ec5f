"""Shanghai's districts, street-level divisions, and the centers that serve them.

Reference data ships inside the package (data/): districts.csv and streets.csv are the national
division codes; centers.yaml lists the 220 centers and 67 sub-centers and explains how they were
chosen. Nothing here reads files outside the package.

A center's `rest_day_afternoon` is its own service afternoon on weekends and public holidays
("13:30-16:30"; the mornings are the same everywhere: models/reports/period.py). It is empty
where it is not known, which today is every center: an administrator fills it in.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import time
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml


@dataclass(frozen=True)
class District:
    code: str  # 6 digits, e.g. 310104
    name: str  # 徐汇区


@dataclass(frozen=True)
class Street:
    code: str  # 9 digits, e.g. 310104003
    name: str  # 天平路街道
    district_code: str

    @property
    def kind(self) -> str:
        """街道, 镇, 乡, or 特殊区域 (development zones, industrial parks, farms)."""
        for suffix in ("街道", "镇", "乡"):
            if self.name.endswith(suffix):
                return suffix
        return "特殊区域"


@dataclass(frozen=True)
class Center:
    """A 社区事务受理服务中心. Its code is the code of the street it is named after."""

    code: str
    name: str
    district_code: str
    street_codes: tuple[str, ...]  # the streets whose residents it serves
    address: str = ""  # left empty where unknown: an administrator fills it in
    phone: str = ""
    rest_day_afternoon: tuple[time, time] | None = None  # None: not recorded


@dataclass(frozen=True)
class SubCenter:
    """A 分中心: accepts on behalf of its center; cases belong to the center."""

    code: str
    name: str
    center_code: str
    address: str = ""
    phone: str = ""


_Coded = TypeVar("_Coded", District, Street, Center, SubCenter)


class GeographyError(Exception):
    """Reference data that contradicts itself (a street with no center, an unknown code)."""


class Geography:
    def __init__(
        self,
        districts: list[District],
        streets: list[Street],
        centers: list[Center],
        sub_centers: list[SubCenter],
    ) -> None:
        self.districts = _by_code(districts, "区")
        self.streets = _by_code(streets, "街道")
        self.centers = _by_code(centers, "中心")
        self.sub_centers = _by_code(sub_centers, "分中心")
        self._center_of_street = self._map_streets_to_centers()
        self._check()

    def _map_streets_to_centers(self) -> dict[str, Center]:
        # Built by hand rather than by a dict comprehension, which would let a second center
        # silently take over a street: each street must have exactly one center.
        center_of_street: dict[str, Center] = {}
        for center in self.centers.values():
            for code in center.street_codes:
                if code in center_of_street:
                    first = center_of_street[code].code
                    raise GeographyError(f"街道 {code} 同时由中心 {first} 和 {center.code} 服务")
                center_of_street[code] = center
        return center_of_street

    def _check(self) -> None:
        for street in self.streets.values():
            self._check_street(street)
        for center in self.centers.values():
            self._check_center(center)
        for sub in self.sub_centers.values():
            self._check_sub_center(sub)

    def _check_street(self, street: Street) -> None:
        if street.district_code not in self.districts:
            raise GeographyError(f"街道 {street.code} 的区代码 {street.district_code} 未知")
        if street.code not in self._center_of_street:
            raise GeographyError(f"街道 {street.code} {street.name} 没有对应的受理中心")

    def _check_center(self, center: Center) -> None:
        if center.district_code not in self.districts:
            raise GeographyError(f"中心 {center.code} 的区代码 {center.district_code} 未知")
        if center.code not in center.street_codes:
            raise GeographyError(f"中心 {center.code} 未服务其同名街道 {center.code}")
        for code in center.street_codes:
            if code not in self.streets:
                raise GeographyError(f"中心 {center.code} 所服务的街道 {code} 未知")
            if self.streets[code].district_code != center.district_code:
                raise GeographyError(f"中心 {center.code} 所服务的街道 {code} 不在同一区")

    def _check_sub_center(self, sub: SubCenter) -> None:
        if sub.center_code not in self.centers:
            raise GeographyError(f"分中心 {sub.code} 所属中心 {sub.center_code} 未知")
        ordinal = sub.code.removeprefix(sub.center_code)
        if ordinal == sub.code or len(ordinal) != 2 or not ordinal.isdigit():
            raise GeographyError(f"分中心 {sub.code} 的代码应为所属中心代码加两位序号")

    def district(self, code: str) -> District:
        return self.districts[code]

    def street(self, code: str) -> Street:
        return self.streets[code]

    def center(self, code: str) -> Center:
        """A center by its code; a sub-center's code gives the center it accepts for."""
        if code in self.sub_centers:
            return self.centers[self.sub_centers[code].center_code]
        return self.centers[code]

    def is_site(self, code: str) -> bool:
        """True for the code of a center or a sub-center: a place where a counter stands."""
        return code in self.centers or code in self.sub_centers

    def site_name(self, code: str) -> str:
        if code in self.sub_centers:
            return self.sub_centers[code].name
        return self.centers[code].name

    def center_label(self, code: str) -> str:
        """The center's name for people to read; the code itself when this geography does not
        know it (a record made with a newer geography), so a screen or paper never fails on it."""
        try:
            return self.center(code).name
        except KeyError:
            return code

    def site_label(self, code: str) -> str:
        """site_name() for people to read, falling back to the code as center_label() does."""
        try:
            return self.site_name(code)
        except KeyError:
            return code

    def center_for_street(self, street_code: str) -> Center:
        """The center that serves residents (and households) registered in this street."""
        return self._center_of_street[street_code]

    def streets_in(self, district_code: str) -> list[Street]:
        return [s for s in self.streets.values() if s.district_code == district_code]

    def sub_centers_of(self, center_code: str) -> list[SubCenter]:
        return [s for s in self.sub_centers.values() if s.center_code == center_code]


def _by_code(items: list[_Coded], label: str) -> dict[str, _Coded]:
    by_code: dict[str, _Coded] = {}
    for item in items:
        if item.code in by_code:
            raise GeographyError(f"{label}代码 {item.code} 重复")
        by_code[item.code] = item
    return by_code


def _data_text(name: str) -> str:
    return (resources.files("tongban.models") / "data" / name).read_text(encoding="utf-8")


def _read_csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_data_text(name).splitlines()))


_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def rest_day_afternoon(text: str | None, center_code: str) -> tuple[time, time] | None:
    """The text of centers.yaml (13:30-16:30) as (from, to); empty or absent: None."""
    if not text or not str(text).strip():
        return None
    found = _HOURS.match(str(text).strip())
    try:
        if found is None:
            raise ValueError
        h1, m1, h2, m2 = (int(part) for part in found.groups())
        hours = (time(h1, m1), time(h2, m2))
    except ValueError:
        raise GeographyError(
            f"中心 {center_code} 的 rest_day_afternoon 应写作“13:30-16:30”或留空：{text}"
        ) from None
    if hours[0] >= hours[1] or hours[0] < time(11, 30):
        raise GeographyError(f"中心 {center_code} 的休息日下午服务时间不合理：{text}")
    return hours


def _centers(raw: dict[str, Any]) -> tuple[list[Center], list[SubCenter]]:
    centers = [
        Center(
            code=str(c["code"]),
            name=c["name"],
            district_code=str(c["district"]),
            street_codes=tuple(str(s) for s in c["streets"]),
            address=c.get("address") or "",
            phone=c.get("phone") or "",
            rest_day_afternoon=rest_day_afternoon(c.get("rest_day_afternoon"), str(c["code"])),
        )
        for c in raw["centers"]
    ]
    subs = [
        SubCenter(
            code=str(s["code"]),
            name=s["name"],
            center_code=str(s["center"]),
            address=s.get("address") or "",
            phone=s.get("phone") or "",
        )
        for s in raw["sub_centers"]
    ]
    return centers, subs


@cache
def shanghai() -> Geography:
    """Shanghai's bundled reference geography, loaded once per process."""
    districts = [District(r["code"], r["name"]) for r in _read_csv("districts.csv")]
    streets = [Street(r["code"], r["name"], r["district_code"]) for r in _read_csv("streets.csv")]
    centers, subs = _centers(yaml.safe_load(_data_text("centers.yaml")))
    return Geography(districts, streets, centers, subs)
