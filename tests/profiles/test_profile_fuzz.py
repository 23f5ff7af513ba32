"""Whatever a profile file holds, loading it gives a profile or a ProfileError, never a traceback."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.errors import ProfileError
from conformance.profiles import OPERATION_IDS, profile_from_data, profile_schema

TOP_KEYS = [*profile_schema()["properties"], "titel", "operation"]
OPERATION_KEYS = [*profile_schema()["$defs"]["operation"]["properties"], "shape"]
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["kling", "newapi", "kling-official", "newapi-task", "*", "*.list", "GET", "image2video.get"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
OPERATIONS = st.dictionaries(
    st.one_of(
        st.sampled_from(OPERATION_IDS), st.sampled_from(["*", "*.get", "lip-sync.*", "x.y"]), st.text(max_size=10)
    ),
    st.dictionaries(st.sampled_from(OPERATION_KEYS), VALUES, max_size=4),
    max_size=3,
)
PROFILES = st.fixed_dictionaries(
    {"id": st.one_of(st.just("fuzzed"), st.text(max_size=10))},
    optional={
        "extends": st.sampled_from(["kling-official", "newapi", "nope", "../x.toml"]),
        "operations": OPERATIONS,
        **{key: VALUES for key in TOP_KEYS if key not in ("id", "extends", "operations", "derived_from")},
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROFILES)
def test_any_profile_data_loads_or_raises_profile_error(data: dict[str, Any]) -> None:
    try:
        profile = profile_from_data(data, source="fuzzed.toml")
    except ProfileError as error:
        assert "fuzzed.toml" in error.render() or "--gateway" in error.render()
    else:
        assert profile.id == data["id"]
