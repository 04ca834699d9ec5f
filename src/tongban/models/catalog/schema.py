"""The shape of a catalog revision file, validated field by field.

These frozen pydantic models are both the schema an administrator's file is checked against and the
domain types the rest of the program reads. Everything the software does with an item follows from
these fields; no code names a particular item.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

ItemCode = Annotated[str, Field(pattern=r"^[A-Z]{2,4}\d{3}$")]
DistrictCode = Annotated[str, Field(pattern=r"^\d{6}$")]


def _invalid(message: str, *at: str | int) -> PydanticCustomError:
    """A rule broken at `at`, a path below the model that checks it (e.g. "materials", 2, "name").

    A model validator can only fail its whole model; the path travels in the error's context so
    that the loader can name the exact item and field to the administrator.
    """
    return PydanticCustomError("catalog_rule", message, {"at": at})


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Mode(StrEnum):
    DIRECT = "direct"  # 直接受理: accepted and handled at the accepting center
    SEPARATED = "separated"  # 收受分离: accepted anywhere, processed by the responsible center
    HOME_DISTRICT = "home_district"  # 属地: never city-wide, only at the applicant's own center


class ProcessingCenterRule(StrEnum):
    HOUSEHOLD = "household"  # the center of the applicant's registered household (户籍地)
    RESIDENCE = "residence"  # the center of the applicant's residence (居住地)


class MaterialForm(StrEnum):
    ORIGINAL = "original"  # 原件 (seen and returned)
    COPY = "copy"  # 复印件
    ORIGINAL_AND_COPY = "original_and_copy"


class Medium(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


class Requirement(StrEnum):
    REQUIRED = "required"
    CONDITIONAL = "conditional"
    OPTIONAL = "optional"


class Source(StrEnum):
    APPLICANT = "applicant"  # 申请人自备
    ISSUING_BODY = "issuing_body"  # 出具单位
    E_CERTIFICATE = "e_certificate"  # 电子证照库
    CENTER = "center"  # 窗口提供 (forms handed out at the counter)


class CollectionMethod(StrEnum):
    ON_THE_SPOT = "on_the_spot"  # 当场领取
    COUNTER = "counter"  # 窗口领取
    MAIL = "mail"  # 邮寄
    ELECTRONIC = "electronic"  # 电子送达
    NONE = "none"  # no document to collect (e.g. a benefit paid to a bank card)


class HukouRequirement(StrEnum):
    SHANGHAI = "shanghai"  # 本市户籍
    NON_SHANGHAI = "non_shanghai"  # 非本市户籍 (来沪人员)


class Material(Strict):
    name: str = Field(min_length=1)
    form: MaterialForm
    copies: int = Field(default=0, ge=0, le=20)
    medium: Medium = Medium.PAPER
    requirement: Requirement = Requirement.REQUIRED
    condition: str | None = None
    deferrable: bool = False  # 容缺: may be supplied after acceptance
    # Conditional materials that apply exactly when someone applies on the applicant's behalf
    # (代办人身份证件, 授权委托书): the counter adds them to the checklist when an agent is entered.
    for_agent: bool = False
    source: Source = Source.APPLICANT
    note: str | None = None

    @model_validator(mode="after")
    def _condition_matches_requirement(self) -> Material:
        if self.requirement is Requirement.CONDITIONAL and not self.condition:
            raise _invalid("有条件材料（conditional）必须写明 condition", "condition")
        if self.requirement is not Requirement.CONDITIONAL and self.condition:
            raise _invalid("只有 requirement 为 conditional 的材料才写 condition", "condition")
        if self.for_agent and self.requirement is not Requirement.CONDITIONAL:
            message = "代办材料（for_agent）必须是有条件材料（condition: 委托他人代办时）"
            raise _invalid(message, "requirement")
        if self.form is not MaterialForm.ORIGINAL and self.copies < 1:
            raise _invalid("收取复印件的材料，份数 copies 至少为 1", "copies")
        return self


class AgeRule(Strict):
    """Machine-checkable age, counted from the birth date in the identity number."""

    min_years: int | None = Field(default=None, ge=0, le=150)
    max_years: int | None = Field(default=None, ge=0, le=150)
    # 敬老卡: may apply from a month before the 65th birthday.
    advance_days: int = Field(default=0, ge=0, le=366)


class Eligibility(Strict):
    age: AgeRule | None = None
    hukou: HukouRequirement | None = None


class Fee(Strict):
    amount_yuan: Decimal = Field(default=Decimal("0"), ge=0)
    basis: str | None = None  # the legal basis of a fee, or why it is free


class Item(Strict):
    code: ItemCode
    name: str = Field(min_length=2)
    aliases: tuple[str, ...] = ()  # other names the public uses, for search
    department: str
    type: str  # 行政许可, 行政给付, 行政确认, 公共服务, 其他行政权力 …
    mode: Mode
    city_wide_from: date | None  # None: never city-wide
    processing_center: ProcessingCenterRule | None = None
    applicants: str  # who may apply (申请对象)
    conditions: tuple[str, ...] = ()  # 办理条件, as the public is told
    eligibility: Eligibility = Eligibility()
    legal_days: int = Field(ge=0, le=365)  # 法定办结时限 (working days, 0 = on the spot)
    promised_days: int = Field(ge=0, le=365)  # 承诺办结时限
    fee: Fee = Fee()
    result: str  # the result document or outcome
    collection: tuple[CollectionMethod, ...] = Field(min_length=1)
    materials: tuple[Material, ...] = Field(min_length=1)
    # 材料流转: whether the paper originals must travel to the processing center.
    paper_moves: bool = False

    @model_validator(mode="after")
    def _mode_is_consistent(self) -> Item:
        if self.promised_days > self.legal_days:
            raise _invalid("承诺时限 promised_days 不得超过法定时限 legal_days", "promised_days")
        if self.mode is Mode.SEPARATED and self.processing_center is None:
            message = "收受分离事项必须写 processing_center（household 或 residence）"
            raise _invalid(message, "processing_center")
        if self.mode is not Mode.SEPARATED and self.processing_center is not None:
            raise _invalid("只有收受分离事项才写 processing_center", "processing_center")
        if self.mode is Mode.HOME_DISTRICT and self.city_wide_from is not None:
            raise _invalid("属地事项不通办，city_wide_from 必须为 null", "city_wide_from")
        if self.mode is not Mode.HOME_DISTRICT and self.city_wide_from is None:
            raise _invalid("直接受理和收受分离事项必须写 city_wide_from", "city_wide_from")
        names = [m.name for m in self.materials]
        for index, name in enumerate(names):
            if name in names[:index]:
                raise _invalid(f"同一事项内材料名称重复：{name}", "materials", index, "name")
        return self

    def is_city_wide_on(self, day: date) -> bool:
        return self.city_wide_from is not None and self.city_wide_from <= day


class HomeDistrictWindow(Strict):
    """A district's announced acceptance window for a home-district item (inclusive dates)."""

    item: ItemCode
    district: DistrictCode
    opens: date
    closes: date
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> HomeDistrictWindow:
        if self.closes < self.opens:
            raise _invalid("受理期结束日 closes 不得早于开始日 opens", "closes")
        return self


class HolidayYear(Strict):
    """An administrator's holiday table for a year the bundled calendar does not cover."""

    year: int = Field(ge=2000, le=2100)
    holidays: tuple[date, ...] = ()  # days off that fall on Monday–Friday
    workdays: tuple[date, ...] = ()  # adjusted working weekends (调休上班)
    source: str  # where the dates come from (the State Council's notice)

    @model_validator(mode="after")
    def _within_year(self) -> HolidayYear:
        for field in ("holidays", "workdays"):
            for index, day in enumerate(getattr(self, field)):
                if day.year != self.year:
                    raise _invalid(f"{day.isoformat()} 不在 {self.year} 年内", field, index)
        return self


class Catalog(Strict):
    revision: str = Field(min_length=1)
    effective_from: date
    description: str | None = None
    departments: tuple[str, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    home_district_windows: tuple[HomeDistrictWindow, ...] = ()
    holiday_tables: tuple[HolidayYear, ...] = ()
    _by_code: dict[str, Item] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        self._by_code.update((item.code, item) for item in self.items)

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.code in seen:
                raise _invalid(f"事项编码重复：{item.code}", "items", index, "code")
            seen.add(item.code)
        known = set(self.departments)
        for index, item in enumerate(self.items):
            if item.department not in known:
                message = f"部门“{item.department}”不在 departments 列表中"
                raise _invalid(message, "items", index, "department")
        home = {i.code for i in self.items if i.mode is Mode.HOME_DISTRICT}
        for index, window in enumerate(self.home_district_windows):
            if window.item not in home:
                message = f"{window.item} 不是属地（home_district）事项，不能设受理期"
                raise _invalid(message, "home_district_windows", index, "item")
        return self

    def item(self, code: str) -> Item:
        """The item with this code; KeyError when the revision has none."""
        return self._by_code[code]

    def windows_for(self, item_code: str, district: str) -> tuple[HomeDistrictWindow, ...]:
        return tuple(
            w for w in self.home_district_windows if w.item == item_code and w.district == district
        )
