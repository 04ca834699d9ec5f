"""Judging an intake request again, against this workstation's own catalog and reference data.

The window's judgement only enables buttons; before anything is recorded the service checks the
request itself: the identity documents, the applicant's name and phone, the item, where it is
processed (models.routing) and the materials (models.intake.assess_materials). Whatever is wrong
becomes a ServiceError with a short Chinese message, raised before any write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tongban.desktop.services.context import CounterContext
from tongban.desktop.services.errors import ServiceError
from tongban.models.catalog import Item
from tongban.models.intake import (
    AgentInput,
    ApplicantInput,
    MaterialCheck,
    MaterialsAssessment,
    assess_materials,
)
from tongban.models.routing import Routing, route
from tongban.models.rules import DocumentType, IdentityCheck, check_eligibility, check_identity
from tongban.models.store import Agent, Person
from tongban.ui.ports import IntakeRequest

# The same rule as the window's form: a mainland mobile, or a landline with optional area code.
PHONE = re.compile(r"1\d{10}|(0\d{2,3}-?)?\d{7,8}")
MAX_NAME = 100
MAX_RELATIONSHIP = 50


@dataclass(frozen=True)
class Judgement:
    item: Item
    applicant: Person
    agent: Agent | None
    routing: Routing
    assessment: MaterialsAssessment
    checks: Mapping[str, MaterialCheck]  # what the clerk saw, by material name
    warnings: tuple[str, ...]  # eligibility: for the clerk to verify, never a refusal


def phone_is_plausible(text: str) -> bool:
    return PHONE.fullmatch(text.strip()) is not None


def judge(
    context: CounterContext, request: IntakeRequest, *, on: date, phone_required: bool
) -> Judgement:
    """Check the request; ServiceError names the first thing that is wrong."""
    item = find_item(context, request.item_code)
    applicant, identity = _applicant(context, request.applicant, on, phone_required)
    agent = _agent(request.agent, on)
    unknown = sorted(set(request.checks) - {m.name for m in item.materials})
    if unknown:
        raise ServiceError(f"材料清单与事项目录不符：{'、'.join(unknown)}")
    try:
        routing = route(
            geography=context.geography,
            catalog=context.catalog,
            site=context.station.site_code,
            item=item,
            household_street=applicant.household_street,
            residence_street=applicant.residence_street,
            on=on,
        )
    except ValueError as error:
        raise ServiceError(f"无法确定办理去向：{error}") from None
    assessment = assess_materials(item, request.checks, has_agent=agent is not None)
    warnings = check_eligibility(
        item,
        birth_date=identity.birth_date,
        shanghai_hukou=applicant.household_street is not None,
        on=on,
    )
    return Judgement(
        item=item,
        applicant=applicant,
        agent=agent,
        routing=routing,
        assessment=assessment,
        checks=request.checks,
        warnings=tuple(w.message for w in warnings),
    )


def find_item(context: CounterContext, code: str) -> Item:
    try:
        return context.catalog.item(code.strip().upper())
    except KeyError:
        revision = context.catalog.revision
        raise ServiceError(f"事项目录 {revision} 中没有编码为 {code} 的事项") from None


def _applicant(
    context: CounterContext, given: ApplicantInput, on: date, phone_required: bool
) -> tuple[Person, IdentityCheck]:
    identity = _identity(given.document_type, given.id_number, on, "申请人")
    name = _name(given.name, "申请人")
    phone = given.phone.strip()
    if phone_required and not phone:
        raise ServiceError("请录入申请人联系电话")
    if phone_required and not phone_is_plausible(phone):
        raise ServiceError("申请人联系电话格式不正确")
    streets = context.geography.streets
    for street, label in ((given.household_street, "户籍地"), (given.residence_street, "居住地")):
        if street is not None and street not in streets:
            raise ServiceError(f"{label}街道代码无效：{street}")
    person = Person(
        document_type=given.document_type,
        id_number=identity.number,
        name=name,
        phone=phone if phone_is_plausible(phone) else None,
        household_street=given.household_street,
        residence_street=given.residence_street,
    )
    return person, identity


def _agent(given: AgentInput | None, on: date) -> Agent | None:
    if given is None:
        return None
    identity = _identity(given.document_type, given.id_number, on, "代办人")
    relationship = given.relationship.strip()
    if not relationship:
        raise ServiceError("请填写代办人与申请人的关系")
    if len(relationship) > MAX_RELATIONSHIP:
        raise ServiceError("代办人与申请人的关系过长")
    return Agent(
        name=_name(given.name, "代办人"),
        document_type=given.document_type,
        id_number=identity.number,
        relationship=relationship,
    )


def _identity(document_type: str, number: str, on: date, who: str) -> IdentityCheck:
    try:
        kind = DocumentType(document_type)
    except ValueError:
        raise ServiceError(f"{who}证件类型无效：{document_type}") from None
    identity = check_identity(number, kind, today=on)
    if not identity.valid:
        raise ServiceError(f"{who}证件号码无效：{identity.reason}")
    return identity


def _name(text: str, who: str) -> str:
    name = text.strip()
    if not name:
        raise ServiceError(f"请填写{who}姓名")
    if len(name) > MAX_NAME:
        raise ServiceError(f"{who}姓名过长")
    return name
