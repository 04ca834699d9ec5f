"""The case file of `tongban intake --file`: one applicant and one item, as the window has them.

    {
      "applicant": {"id_number": "…", "name": "张三", "phone": "13800138000",
                    "household_street": "310104003", "residence_street": null},
      "item": "MZ010",
      "materials": ["申请人身份证件"],          or "all"
      "deferred": [],                          容缺: promised for later (deferrable ones only)
      "applies": [],                           conditional materials judged to apply, not brought
      "agent": null,                           or {"id_number", "name", "relationship"}
      "document_type": "resident_id",          the applicant's document (default resident_id)
      "collect_at": "accepting",               where the result is collected: "accepting" (this
                                               center, default) or "processing" (收受分离 only)
      "started_at": "2026-03-02T09:28:00+08:00" optional: when the applicant was identified (ISO
                                               8601 with its UTC offset), for the time at the
                                               counter; absent: not known, none is recorded
    }

Streets are 9-digit codes or exact street names; a null household street is a household outside
Shanghai, a null residence street means the applicant lives at the household address. A named
material counts as handed in as the item asks (original seen, the copies it needs). "all" means
every required material, and the agent's materials when there is an agent; conditional ones are
named explicitly. Unknown fields, unknown materials and impossible deferrals are errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from tongban.models.catalog import Catalog, Item, Material, MaterialForm, Requirement
from tongban.models.geography import Geography
from tongban.models.intake import AgentInput, ApplicantInput, MaterialCheck
from tongban.models.rules import DocumentType
from tongban.ui.ports import IntakeRequest

DEFAULT_DOCUMENT = DocumentType.RESIDENT_ID.value


class CaseFileError(Exception):
    """A case file that cannot be used; the message is one line for the person at the machine."""


class _Strict(BaseModel):
    # hide_input_in_errors: an error must never echo an identity number.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, str_strip_whitespace=True)


class _Applicant(_Strict):
    document_type: str | None = None
    id_number: str
    name: str
    phone: str = ""
    household_street: str | None
    residence_street: str | None = None


class _Agent(_Strict):
    document_type: str = DEFAULT_DOCUMENT
    id_number: str
    name: str
    relationship: str


class _CaseFile(_Strict):
    applicant: _Applicant
    item: str
    materials: list[str] | Literal["all"]
    deferred: list[str] = []
    applies: list[str] = []
    agent: _Agent | None = None
    document_type: str | None = None
    collect_at: Literal["accepting", "processing"] = "accepting"
    started_at: AwareDatetime | None = None


def read_case_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"找不到案件文件：{path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(f"无法读取案件文件 {path}：{error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseFileError(
            f"案件文件 {path} 不是有效的 JSON（第 {error.lineno} 行第 {error.colno} 列）"
        ) from None


def to_request(raw: Any, catalog: Catalog, geography: Geography) -> IntakeRequest:
    """The request the window would have made from the same facts."""
    try:
        case = _CaseFile.model_validate(raw)
    except ValidationError as error:
        raise CaseFileError(f"案件文件有误：{_first_problem(error)}") from None
    try:
        item = catalog.item(case.item.upper())
    except KeyError:
        revision = catalog.revision
        raise CaseFileError(f"事项目录 {revision} 中没有编码为 {case.item} 的事项") from None
    return IntakeRequest(
        applicant=_applicant(case, geography),
        agent=_agent(case.agent),
        item_code=item.code,
        checks=_checks(case, item),
        collect_at_processing_center=case.collect_at == "processing",
        started_at=case.started_at,
    )


def _applicant(case: _CaseFile, geography: Geography) -> ApplicantInput:
    given = case.applicant
    if case.document_type and given.document_type and case.document_type != given.document_type:
        raise CaseFileError("document_type 与 applicant.document_type 不一致")
    document_type = case.document_type or given.document_type or DEFAULT_DOCUMENT
    return ApplicantInput(
        document_type=_document_type(document_type),
        id_number=given.id_number,
        name=given.name,
        phone=given.phone,
        household_street=_street(geography, given.household_street, "户籍地"),
        residence_street=_street(geography, given.residence_street, "居住地"),
    )


def _agent(given: _Agent | None) -> AgentInput | None:
    if given is None:
        return None
    return AgentInput(
        document_type=_document_type(given.document_type),
        id_number=given.id_number,
        name=given.name,
        relationship=given.relationship,
    )


def _document_type(text: str) -> str:
    try:
        return DocumentType(text).value
    except ValueError:
        choices = "、".join(t.value for t in DocumentType)
        raise CaseFileError(f"证件类型 {text} 无效，可用：{choices}") from None


def _street(geography: Geography, text: str | None, label: str) -> str | None:
    if text is None or text == "":
        return None
    if text in geography.streets:
        return text
    matches = [s.code for s in geography.streets.values() if s.name == text]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CaseFileError(f"{label}“{text}”有重名街镇，请用 9 位代码")
    raise CaseFileError(f"{label}“{text}”不是本市的街镇（请用 9 位代码或街镇全称）")


def _checks(case: _CaseFile, item: Item) -> dict[str, MaterialCheck]:
    by_name = {m.name: m for m in item.materials}
    received = _received_names(case, item)
    named = [*received, *case.deferred, *case.applies]
    unknown = [name for name in named if name not in by_name]
    if unknown:
        raise CaseFileError(f"事项 {item.code} 没有这些材料：{'、'.join(unknown)}")
    twice = sorted(
        (set(received) & set(case.deferred))
        | (set(received) & set(case.applies))
        | (set(case.deferred) & set(case.applies))
    )
    if twice:
        raise CaseFileError(f"材料重复出现在多个清单中：{'、'.join(twice)}")
    not_deferrable = [name for name in case.deferred if not by_name[name].deferrable]
    if not_deferrable:
        raise CaseFileError(f"以下材料不可容缺：{'、'.join(not_deferrable)}")
    checks = {name: _handed_in(by_name[name]) for name in received}
    checks.update({name: MaterialCheck(deferred=True, applies=True) for name in case.deferred})
    checks.update({name: MaterialCheck(applies=True) for name in case.applies})
    return checks


def _received_names(case: _CaseFile, item: Item) -> list[str]:
    if case.materials != "all":
        return list(case.materials)
    has_agent = case.agent is not None
    outstanding = set(case.deferred) | set(case.applies)
    return [
        m.name
        for m in item.materials
        if m.name not in outstanding
        and (
            m.requirement is Requirement.REQUIRED
            or (m.requirement is Requirement.CONDITIONAL and m.for_agent and has_agent)
        )
    ]


def _handed_in(material: Material) -> MaterialCheck:
    return MaterialCheck(
        original_seen=material.form is not MaterialForm.COPY,
        copies_received=material.copies if material.form is not MaterialForm.ORIGINAL else 0,
        applies=True,
    )


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    place = ".".join(str(part) for part in first["loc"]) or "(整体)"
    kinds = {
        "missing": "缺少此项",
        "extra_forbidden": "不认识的字段",
        "string_type": "应为文字",
        "list_type": "应为列表",
        "literal_error": '只能是材料名称列表或 "all"',
        "model_type": "应为对象",
        "dict_type": "应为对象",
        "timezone_aware": "应为带时区的时间，如 2026-03-02T09:28:00+08:00",
        "datetime_from_date_parsing": "应为时间，如 2026-03-02T09:28:00+08:00",
        "datetime_parsing": "应为时间，如 2026-03-02T09:28:00+08:00",
        "datetime_type": "应为时间，如 2026-03-02T09:28:00+08:00",
    }
    return f"{place}：{kinds.get(first['type'], '格式不正确')}"
