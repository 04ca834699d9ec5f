"""Shanghai's bundled geography, and the checks that refuse reference data contradicting itself."""

from collections import Counter
from importlib import resources

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tongban.models.geography import (
    Center,
    District,
    Geography,
    GeographyError,
    Street,
    SubCenter,
    shanghai,
)

SUFFIX = "社区事务受理服务中心"
KNOWN_SPECIAL_CENTERS = {"310112501", "310114401", "310114501"}  # 莘庄工业区, 菊园新区, 嘉定工业区


@pytest.fixture(scope="module")
def geo() -> Geography:
    return shanghai()


# --- The bundled data -------------------------------------------------------------------------


def test_counts_match_the_published_network(geo: Geography) -> None:
    assert len(geo.districts) == 16
    assert len(geo.streets) == 234
    kinds = Counter(street.kind for street in geo.streets.values())
    assert kinds == {"街道": 107, "镇": 106, "乡": 2, "特殊区域": 19}
    assert len(geo.centers) == 220
    assert len(geo.sub_centers) == 67


def test_every_street_town_and_township_has_its_own_center(geo: Geography) -> None:
    towns = {s.code for s in geo.streets.values() if s.kind != "特殊区域"}
    assert len(towns) == 215
    assert towns <= set(geo.centers)
    special_with_center = set(geo.centers) - towns
    assert len(special_with_center) == 5
    assert KNOWN_SPECIAL_CENTERS.issubset(special_with_center)


def test_every_street_is_served_by_exactly_one_center_of_its_district(geo: Geography) -> None:
    served = Counter(code for c in geo.centers.values() for code in c.street_codes)
    assert set(served) == set(geo.streets)
    assert set(served.values()) == {1}
    for street in geo.streets.values():
        center = geo.center_for_street(street.code)
        assert street.code in center.street_codes
        assert center.district_code == street.district_code


def test_a_center_is_named_after_the_street_whose_code_it_bears(geo: Geography) -> None:
    for center in geo.centers.values():
        street = geo.street(center.code)
        assert center.name.startswith(street.name)
        assert center.name.endswith(SUFFIX)
        assert center.name == street.name + SUFFIX
        assert center.street_codes[0] == center.code


def test_center_for_street_gives_own_center_or_the_assigned_one(geo: Geography) -> None:
    assert geo.center_for_street("310104003").name == "天平路街道社区事务受理服务中心"
    # 漕河泾新兴技术开发区 has no center of its own.
    assert geo.center_for_street("310104501").code == "310104012"
    assert geo.center_for_street("310114401").code == "310114401"  # 菊园新区 has one


def test_sub_centers_belong_to_a_center_and_resolve_to_it(geo: Geography) -> None:
    for sub in geo.sub_centers.values():
        center = geo.centers[sub.center_code]
        assert sub.code[:9] == center.code
        assert len(sub.code) == 11
        assert sub.code[9:].isdigit()
        assert sub.name.startswith(center.name)
        assert sub.name.endswith("分中心")
        assert geo.center(sub.code) is center
        assert geo.is_site(sub.code)
        assert geo.site_name(sub.code) == sub.name
        assert sub.code not in geo.centers
    assert [s.code for s in geo.sub_centers_of("310115131")] == ["31011513101"]


def test_labels_name_a_known_place_and_show_an_unknown_code_as_it_is(geo: Geography) -> None:
    # A record made with a newer geography must still show, and print, with its code.
    sub = geo.sub_centers["31011513101"]
    center = geo.centers[sub.center_code]
    assert geo.center_label(center.code) == center.name
    assert (geo.center_label(sub.code), geo.site_label(sub.code)) == (center.name, sub.name)
    assert geo.center_label("310199999") == geo.site_label("310199999") == "310199999"


def test_sub_centers_sit_only_in_towns(geo: Geography) -> None:
    kinds = {geo.street(sub.center_code).kind for sub in geo.sub_centers.values()}
    assert kinds <= {"镇", "乡"}


def test_the_yaml_file_has_exactly_the_documented_shape() -> None:
    text = (resources.files("tongban.models") / "data" / "centers.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    assert set(raw) == {"centers", "sub_centers"}
    for c in raw["centers"]:
        documented = {"code", "name", "district", "streets", "address", "phone"}
        assert set(c) == documented | {"rest_day_afternoon"}
        assert c["rest_day_afternoon"] == ""  # no center's rest-day afternoon is known yet
        assert all(isinstance(v, str) for v in (c["code"], c["district"], *c["streets"]))
    for s in raw["sub_centers"]:
        assert set(s) == {"code", "name", "center", "address", "phone"}
        assert isinstance(s["code"], str)
        assert isinstance(s["center"], str)
    # The comment block that explains the choices comes first.
    assert text.startswith("#")


# --- Hand-built geographies -------------------------------------------------------------------

DISTRICTS = [District("310101", "黄浦区"), District("310104", "徐汇区")]
STREETS = [
    Street("310101002", "南京东路街道", "310101"),
    Street("310101013", "外滩街道", "310101"),
    Street("310101015", "半淞园路街道", "310101"),
    Street("310104003", "天平路街道", "310104"),
    Street("310104501", "漕河泾新兴技术开发区", "310104"),
]


def _center(code: str, *also: str) -> Center:
    street = next(s for s in STREETS if s.code == code)
    return Center(code, street.name + SUFFIX, street.district_code, (code, *also))


def _small(centers: list[Center], subs: list[SubCenter] | None = None) -> Geography:
    return Geography(DISTRICTS, STREETS, centers, subs or [])


VALID_CENTERS = [
    _center("310101002"),
    _center("310101013", "310101015"),
    _center("310104003", "310104501"),
]


def test_a_consistent_small_geography_loads() -> None:
    sub = SubCenter("31010100201", "南京东路街道社区事务受理服务中心第一分中心", "310101002")
    geo = _small(VALID_CENTERS, [sub])
    assert geo.center_for_street("310101015").code == "310101013"
    assert geo.center("31010100201").code == "310101002"
    assert geo.center("310104003").code == "310104003"


def test_a_street_without_a_center_is_refused() -> None:
    centers = [_center("310101002"), _center("310101013"), _center("310104003", "310104501")]
    with pytest.raises(GeographyError, match="310101015"):
        _small(centers)


def test_a_street_served_by_two_centers_is_refused() -> None:
    centers = [*VALID_CENTERS[:2], _center("310104003", "310104501", "310101015")]
    with pytest.raises(GeographyError, match="同时由"):
        _small(centers)


def test_a_center_serving_another_district_is_refused() -> None:
    centers = [_center("310101002", "310104501"), *VALID_CENTERS[1:2], _center("310104003")]
    with pytest.raises(GeographyError, match="不在同一区"):
        _small(centers)


def test_a_center_must_serve_the_street_it_is_named_after() -> None:
    # Two centers that swapped their streets: every street is still served exactly once.
    swapped = [
        Center("310101013", "外滩街道" + SUFFIX, "310101", ("310101015",)),
        Center("310101015", "半淞园路街道" + SUFFIX, "310101", ("310101013",)),
    ]
    with pytest.raises(GeographyError, match="同名街道"):
        _small([VALID_CENTERS[0], *swapped, VALID_CENTERS[2]])


def test_duplicate_center_codes_are_refused() -> None:
    with pytest.raises(GeographyError, match="重复"):
        _small([*VALID_CENTERS, _center("310101002")])


def test_a_sub_center_of_an_unknown_center_is_refused() -> None:
    with pytest.raises(GeographyError, match="所属中心"):
        _small(VALID_CENTERS, [SubCenter("31010101801", "分中心", "310101018")])


# --- Rules, over generated data ---------------------------------------------------------------

DISTRICT_STREETS = [s.code for s in STREETS if s.district_code == "310101"]


@st.composite
def _partitions(draw: st.DrawFn) -> list[list[str]]:
    """The 黄浦 streets of STREETS split into groups, each group served by one center."""
    labels = draw(st.lists(st.integers(0, 2), min_size=3, max_size=3))
    groups: dict[int, list[str]] = {}
    for code, label in zip(DISTRICT_STREETS, labels, strict=True):
        groups.setdefault(label, []).append(code)
    return list(groups.values())


def _centers_for(groups: list[list[str]]) -> list[Center]:
    return [*(_center(*group) for group in groups), VALID_CENTERS[2]]


@given(_partitions())
def test_any_partition_of_streets_into_centers_is_accepted(groups: list[list[str]]) -> None:
    geo = _small(_centers_for(groups))
    for group in groups:
        for code in group:
            assert geo.center_for_street(code).code == group[0]


@given(_partitions(), st.data())
def test_leaving_any_street_unserved_is_refused(
    groups: list[list[str]], data: st.DataObject
) -> None:
    group = data.draw(st.sampled_from(groups))
    dropped = data.draw(st.sampled_from(group))
    centers = _centers_for(groups)
    if dropped == group[0]:
        centers = [c for c in centers if c.code != dropped]  # the whole center goes away
        rest = [code for code in group if code != dropped]
        centers += [_center(*rest)] if rest else []
    else:
        centers = [
            _center(*[code for code in group if code != dropped]) if c.code == group[0] else c
            for c in centers
        ]
    with pytest.raises(GeographyError, match=dropped):
        _small(centers)


@given(st.integers(0, 99))
def test_a_sub_center_code_is_its_center_code_and_a_two_digit_ordinal(ordinal: int) -> None:
    code = f"310101002{ordinal:02d}"
    geo = _small(VALID_CENTERS, [SubCenter(code, "分中心", "310101002")])
    assert geo.center(code).code == "310101002"


@given(st.text("0123456789", max_size=4).filter(lambda tail: len(tail) != 2))
def test_a_sub_center_code_of_another_shape_is_refused(tail: str) -> None:
    with pytest.raises(GeographyError, match="两位序号"):
        _small(VALID_CENTERS, [SubCenter("310101002" + tail, "分中心", "310101002")])
