"""docs/profiles.md: every example loads as a profile, reads a body, and every reading key is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance.normalize import normalize
from conformance.normalize.reading.conditions import CONDITION_KEYS, READ_NAMES
from conformance.normalize.reading.model import (
    ALTERNATIVE_KEYS,
    DESCRIPTION_KEYS,
    FIELD_TABLE_KEYS,
    SHAPE_KEYS,
    STEP_KEYS,
)
from conformance.normalize.reading.transforms import READ_TRANSFORMS
from conformance.profiles import load_profile_file

DOC = (Path(__file__).resolve().parents[2] / "docs" / "profiles.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", DOC, re.S)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_every_example_loads(tmp_path: Path, index: int) -> None:
    path = tmp_path / f"example{index}.toml"
    path.write_text(EXAMPLES[index], encoding="utf-8")
    profile = load_profile_file(path)
    assert profile.id


def _example(tmp_path: Path, profile_id: str) -> object:
    text = next(example for example in EXAMPLES if f'id = "{profile_id}"' in example)
    path = tmp_path / f"{profile_id}.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile_file(path)


def test_the_examples_read_what_they_say(tmp_path: Path) -> None:
    gateway = _example(tmp_path, "my-gateway")
    body = {"code": 200, "data": {"task_id": "t1", "status": "completed", "output": {"video_url": "https://v/1.mp4"}}}
    result = normalize(json.dumps(body).encode(), 200, gateway)
    assert (result.shape.value, result.task_id, result.status, result.video_urls) == (
        "my-task",
        "t1",
        "succeed",
        ("https://v/1.mp4",),
    )
    assert normalize(b'{"code": 10000, "msg": "bad key"}', 401, gateway).error_message == "bad key"
    queue = _example(tmp_path, "my-queue")
    done = {"code": 0, "data": {"id": "q", "status": "COMPLETED", "error": "gpu lost", "result": "{}"}}
    result = normalize(json.dumps(done).encode(), 200, queue)
    assert (result.shape.value, result.status, result.failure_reason) == ("queue-task", "failed", "gpu lost")
    wrapped = _example(tmp_path, "my-wrapped")
    result = normalize(b'{"result": {"id": "j", "state": "done", "files": [{"url": "https://f/1.mp4"}]}}', 200, wrapped)
    assert (result.shape.value, result.task_id, result.video_urls) == ("wrapped-job", "j", ("https://f/1.mp4",))


def test_every_reading_key_and_transform_is_documented() -> None:
    keys = {
        *DESCRIPTION_KEYS,
        *SHAPE_KEYS,
        *ALTERNATIVE_KEYS,
        *FIELD_TABLE_KEYS,
        *STEP_KEYS,
        *CONDITION_KEYS,
        *READ_NAMES,
        *READ_TRANSFORMS.names(),
    }
    missing = sorted(key for key in keys if f"`{key}`" not in DOC)
    assert not missing
