"""What a clerk puts together at the counter, and whether the materials allow acceptance.

Plain values shared by the counter window (ui), the headless intake command and the intake service
(desktop). The assessment is a pure function of the item's fields and the clerk's checklist, so the
window, the command line and the tests all judge a case the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tongban.models.catalog import Item, Material, MaterialForm, Requirement


@dataclass(frozen=True)
class ApplicantInput:
    document_type: str  # a tongban.models.rules.DocumentType value
    id_number: str
    name: str
    phone: str
    household_street: str | None  # None: household registered outside Shanghai
    residence_street: str | None  # None: lives where the household is registered


@dataclass(frozen=True)
class AgentInput:
    """代办人: someone applying on the applicant's behalf."""

    document_type: str
    id_number: str
    name: str
    relationship: str


@dataclass(frozen=True)
class MaterialCheck:
    """What the clerk saw of one material."""

    original_seen: bool = False
    copies_received: int = 0
    deferred: bool = False  # 容缺: promised for later (only where the item allows it)
    applies: bool = False  # for a conditional material: the clerk judged its condition to hold


class MaterialState(StrEnum):
    RECEIVED = "received"
    DEFERRED = "deferred"
    MISSING = "missing"
    NOT_NEEDED = "not_needed"  # optional, or conditional with its condition not holding


@dataclass(frozen=True)
class MaterialsAssessment:
    states: Mapping[str, MaterialState]
    missing: tuple[Material, ...] = field(default=())
    deferred: tuple[Material, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return not self.missing and not self.deferred

    @property
    def can_accept(self) -> bool:
        """Accept (受理) when complete or only deferrable materials are outstanding."""
        return not self.missing


def is_needed(material: Material, check: MaterialCheck, *, has_agent: bool) -> bool:
    if material.requirement is Requirement.REQUIRED:
        return True
    if material.requirement is Requirement.CONDITIONAL:
        return has_agent if material.for_agent else check.applies
    return False


def is_received(material: Material, check: MaterialCheck) -> bool:
    original_ok = material.form is MaterialForm.COPY or check.original_seen
    copies_ok = material.form is MaterialForm.ORIGINAL or check.copies_received >= material.copies
    return original_ok and copies_ok


def material_state(material: Material, check: MaterialCheck, *, has_agent: bool) -> MaterialState:
    if is_received(material, check) and (check.original_seen or check.copies_received):
        return MaterialState.RECEIVED
    if not is_needed(material, check, has_agent=has_agent):
        return MaterialState.NOT_NEEDED
    if check.deferred and material.deferrable:
        return MaterialState.DEFERRED
    return MaterialState.MISSING


def assess_materials(
    item: Item, checks: Mapping[str, MaterialCheck], *, has_agent: bool
) -> MaterialsAssessment:
    """Judge the checklist against the item; a material with no check counts as not received."""
    states: dict[str, MaterialState] = {}
    missing: list[Material] = []
    deferred: list[Material] = []
    for material in item.materials:
        state = material_state(
            material, checks.get(material.name, MaterialCheck()), has_agent=has_agent
        )
        states[material.name] = state
        if state is MaterialState.MISSING:
            missing.append(material)
        elif state is MaterialState.DEFERRED:
            deferred.append(material)
    return MaterialsAssessment(states, tuple(missing), tuple(deferred))
