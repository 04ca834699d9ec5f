"""Pure rules of the counter: identity documents, deadlines, case numbers and eligibility."""

from tongban.models.rules.case_number import (
    CaseNumberParts,
    display_case_number,
    is_valid_case_number,
    make_case_number,
    normalise_case_number,
    parse_case_number,
)
from tongban.models.rules.eligibility import EligibilityWarning, check_eligibility
from tongban.models.rules.identity import (
    DocumentType,
    IdentityCheck,
    age_on,
    check_identity,
    mask_identity,
    normalise_identity,
    reaches_age_on,
)
from tongban.models.rules.workdays import Deadline, WorkingCalendar

__all__ = [
    "CaseNumberParts",
    "Deadline",
    "DocumentType",
    "EligibilityWarning",
    "IdentityCheck",
    "WorkingCalendar",
    "age_on",
    "check_eligibility",
    "check_identity",
    "display_case_number",
    "is_valid_case_number",
    "make_case_number",
    "mask_identity",
    "normalise_case_number",
    "normalise_identity",
    "parse_case_number",
    "reaches_age_on",
]
