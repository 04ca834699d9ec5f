"""Applicants: recognised by (document type, number) when they come back.

The applicants row holds a person's latest details. Details arrive inside events (accepted,
and visits where the person was identified); the event with the newest HLC wins, so every store
that has the same events ends with the same details whatever order they arrived in.
Looking a person up is a look at their data: the caller writes an audit entry (audit.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tongban.models.rules import mask_identity
from tongban.models.store.hlc import Timestamp
from tongban.models.store.payloads import Person
from tongban.models.store.schema import ApplicantRow


@dataclass(frozen=True)
class Applicant:
    id: int
    document_type: str
    id_number: str = field(repr=False)
    name: str
    phone: str | None
    household_street: str | None
    residence_street: str | None

    @property
    def masked_id(self) -> str:
        return mask_identity(self.id_number)


def find_applicant(session: Session, document_type: str, id_number: str) -> Applicant | None:
    row = _row(session, document_type, id_number)
    return None if row is None else _to_applicant(row)


def get_applicant(session: Session, applicant_id: int) -> Applicant | None:
    row = session.get(ApplicantRow, applicant_id)
    return None if row is None else _to_applicant(row)


def remember_applicant(session: Session, person: Person, hlc: Timestamp, at: datetime) -> int:
    """Insert the person, or update their details if this event is newer; returns the row id."""
    row = _row(session, person.document_type, person.id_number)
    if row is None:
        row = ApplicantRow(
            document_type=person.document_type,
            id_number=person.id_number,
            updated_hlc=-1,
            created_at=at,
        )
        session.add(row)
    if row.updated_hlc < hlc.to_int():
        row.name = person.name
        row.phone = person.phone
        row.household_street = person.household_street
        row.residence_street = person.residence_street
        row.updated_hlc = hlc.to_int()
    session.flush()
    return row.id


def _row(session: Session, document_type: str, id_number: str) -> ApplicantRow | None:
    query = select(ApplicantRow).where(
        ApplicantRow.document_type == document_type, ApplicantRow.id_number == id_number
    )
    return session.scalars(query).one_or_none()


def _to_applicant(row: ApplicantRow) -> Applicant:
    return Applicant(
        id=row.id,
        document_type=row.document_type,
        id_number=row.id_number,
        name=row.name,
        phone=row.phone,
        household_street=row.household_street,
        residence_street=row.residence_street,
    )
