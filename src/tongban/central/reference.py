"""Reference data in the central store: Shanghai's geography and the published catalog revisions.

`load_geography` copies tongban.models' bundled districts, streets, centers and sub-centers into
the store (adding what is missing, so `central init` can run again after an upgrade). A catalog
revision is published once and never changes: publishing the same revision again with the same
content does nothing, with other content it is refused, because workstations have accepted cases
under the revision as first published. The checksum is SHA-256 of the file's UTF-8 text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.central.errors import CentralError
from tongban.central.schema import (
    CatalogRevisionRow,
    CenterRow,
    DistrictRow,
    StreetRow,
    SubCenterRow,
)
from tongban.models.catalog import CatalogError
from tongban.models.catalog.loader import parse_catalog
from tongban.models.geography import Center, District, Geography, Street, SubCenter

_Coded = TypeVar("_Coded", DistrictRow, CenterRow, SubCenterRow, StreetRow)


@dataclass(frozen=True)
class GeographyCounts:
    districts: int
    centers: int
    sub_centers: int
    streets: int


@dataclass(frozen=True)
class CatalogRevision:
    revision: str
    effective_from: date
    checksum: str
    published_at: datetime
    content: str


def load_geography(session: Session, geography: Geography) -> GeographyCounts:
    """Add the districts, centers, sub-centers and streets the store does not have yet."""
    # Parents before children: districts, then centers, then sub-centers and streets.
    _add_missing(session, DistrictRow, [_district(d) for d in geography.districts.values()])
    _add_missing(session, CenterRow, [_center(c) for c in geography.centers.values()])
    _add_missing(session, SubCenterRow, [_sub_center(s) for s in geography.sub_centers.values()])
    _add_missing(session, StreetRow, [_street(geography, s) for s in geography.streets.values()])
    return GeographyCounts(
        districts=len(geography.districts),
        centers=len(geography.centers),
        sub_centers=len(geography.sub_centers),
        streets=len(geography.streets),
    )


def _district(district: District) -> DistrictRow:
    return DistrictRow(code=district.code, name=district.name)


def _center(center: Center) -> CenterRow:
    return CenterRow(
        code=center.code,
        name=center.name,
        district_code=center.district_code,
        address=center.address,
        phone=center.phone,
    )


def _sub_center(sub: SubCenter) -> SubCenterRow:
    return SubCenterRow(
        code=sub.code,
        name=sub.name,
        center_code=sub.center_code,
        address=sub.address,
        phone=sub.phone,
    )


def _street(geography: Geography, street: Street) -> StreetRow:
    return StreetRow(
        code=street.code,
        name=street.name,
        district_code=street.district_code,
        center_code=geography.center_for_street(street.code).code,
    )


def _add_missing(session: Session, model: type[_Coded], rows: list[_Coded]) -> None:
    present = set(session.scalars(select(model.code)))
    session.add_all(row for row in rows if row.code not in present)
    session.flush()


def is_center(session: Session, code: str) -> bool:
    return session.get(CenterRow, code) is not None


_CENTER_CODES = "tongban.center_codes"


def center_codes(session: Session) -> frozenset[str]:
    """Every center's code, read once per database connection (the pool keeps connections).

    The centers change only when `tongban central init` loads a new geography, after which the
    service is restarted with the new program; until then a push need not ask again."""
    known = session.connection().info
    if _CENTER_CODES not in known:
        known[_CENTER_CODES] = frozenset(session.scalars(select(CenterRow.code)))
    codes: frozenset[str] = known[_CENTER_CODES]
    return codes


def center_name(session: Session, code: str) -> str:
    row = session.get(CenterRow, code)
    if row is None:
        raise CentralError(f"未知的中心代码：{code}")
    return row.name


def site_belongs_to(session: Session, site_code: str, center_code: str) -> bool:
    """True for the center itself or one of its sub-centers."""
    if site_code == center_code:
        return is_center(session, center_code)
    sub = session.get(SubCenterRow, site_code)
    return sub is not None and sub.center_code == center_code


def checksum(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def publish_catalog(
    session: Session, content: str, *, file_name: str, at: datetime
) -> CatalogRevision:
    """Publish a revision file after validating it; the same content again is a no-op."""
    try:
        catalog = parse_catalog(content, file_name=file_name)
    except CatalogError as error:
        raise CentralError(f"事项目录无效：{error}") from None
    digest = checksum(content)
    existing = session.get(CatalogRevisionRow, catalog.revision)
    if existing is not None:
        if existing.checksum != digest:
            raise CentralError(
                f"事项目录修订 {catalog.revision} 已发布且内容不同：已发布的修订不能更改，"
                "请以新的修订号发布"
            )
        return _to_revision(existing)
    row = CatalogRevisionRow(
        revision=catalog.revision,
        effective_from=catalog.effective_from,
        checksum=digest,
        content=content,
        published_at=at,
    )
    session.add(row)
    session.flush()
    return _to_revision(row)


def catalog_revision(session: Session, revision: str) -> CatalogRevision | None:
    row = session.get(CatalogRevisionRow, revision)
    return None if row is None else _to_revision(row)


_REVISIONS = select(  # every pull reads it: built once
    CatalogRevisionRow.revision,
    CatalogRevisionRow.effective_from,
    CatalogRevisionRow.checksum,
    CatalogRevisionRow.published_at,
).order_by(CatalogRevisionRow.effective_from, CatalogRevisionRow.revision)


def catalog_revisions(session: Session) -> list[CatalogRevision]:
    """Every published revision, oldest effective date first (content left out)."""
    return [
        CatalogRevision(revision=r, effective_from=e, checksum=c, published_at=p, content="")
        for r, e, c, p in session.execute(_REVISIONS)
    ]


def _to_revision(row: CatalogRevisionRow) -> CatalogRevision:
    return CatalogRevision(
        revision=row.revision,
        effective_from=row.effective_from,
        checksum=row.checksum,
        published_at=row.published_at,
        content=row.content,
    )
