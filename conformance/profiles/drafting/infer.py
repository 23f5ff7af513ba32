"""Infer where a gateway keeps each canonical field, from a few of its bodies, with the evidence of each guess.

Every inference is a :class:`Finding`: what was inferred, from which bodies at which paths, and (when it
is a guess) why a person must confirm it. Names are compared folded (``taskId`` = ``task_id``); status
words are looked up in the tool's own vocabulary (the zero-config reading's), never invented: a word the
vocabulary does not know reads ``unknown`` unless the person labelled its body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from conformance.profiles.drafting.leaves import Leaf, fold, leaves, render
from conformance.profiles.drafting.samples import ROLES, Sample

#: Task id names, best first (rank); ``request_id`` may be the id of the HTTP call rather than the task.
ID_RANKS: dict[str, int] = {
    "taskid": 0,
    "generationid": 1,
    "predictionid": 1,
    "jobid": 1,
    "videoid": 1,
    "id": 2,
    "requestid": 3,
}
STATUS_KEYS = frozenset({"status", "state", "taskstatus", "jobstatus"})
CODE_KEYS = frozenset({"code", "errcode", "errno", "retcode", "ret"})
KNOWN_SUCCESS_CODES: tuple[Any, ...] = (0, 200, "0", "200", "success", "ok", "OK", "SUCCESS")
ERROR_MARKERS = ("error", "errors", "detail", "err")
ERROR_CODE_KEYS = frozenset({"code", "errorcode", "errcode", "errno", "type"})
ERROR_MESSAGE_KEYS = frozenset({"message", "msg", "errormessage", "errmsg", "detail", "error", "description"})
FAILURE_KEYS = frozenset(
    {
        "error",
        "errormessage",
        "errmsg",
        "failmsg",
        "failreason",
        "failurereason",
        "failmessage",
        "failuremessage",
        "reason",
        "detail",
    }
)
CREATED_KEYS = ("createdat", "createtime", "created", "createdtime", "submittime", "submittedat", "createdon")
UPDATED_KEYS = (
    "updatedat",
    "updatetime",
    "completedat",
    "completetime",
    "finishedat",
    "finishtime",
    "endtime",
    "endedat",
    "updated",
)
PROTOCOL_URL_KEYS = frozenset(
    {
        "statusurl",
        "responseurl",
        "cancelurl",
        "callbackurl",
        "webhookurl",
        "notifyurl",
        "web",
        "get",
        "cancel",
        "stream",
        "self",
        "next",
        "prev",
        "pollurl",
        "resulturl",
    }
)
IMAGE_WORDS = ("image", "img", "thumbnail", "cover", "poster", "frame", "picture")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")


@dataclass(frozen=True, slots=True)
class Seen:
    """One piece of evidence: body label, JSONPath, the value there."""

    label: str
    path: str
    value: Any = None

    def describe(self) -> str:
        shown = repr(self.value)
        return f"{self.label} at {self.path}" + (f" = {shown[:60]}" if self.value is not None else "")


@dataclass(slots=True)
class Finding:
    """One inference with its evidence; ``confirm`` says why a person must check it (``None``: read as is)."""

    topic: str
    text: str
    evidence: list[Seen] = field(default_factory=list)
    confirm: str | None = None

    def comment(self) -> str:
        where = "; ".join(seen.describe() for seen in self.evidence[:4])
        more = f" (+{len(self.evidence) - 4} more)" if len(self.evidence) > 4 else ""
        head = f"TODO confirm: {self.confirm}. " if self.confirm else ""
        return f"{head}{self.topic}: {self.text}" + (f" — seen in {where}{more}" if where else "")


@dataclass(slots=True)
class BodyFacts:
    """What one body showed: its leaves and the places of each canonical field found in it."""

    sample: Sample
    leaves: list[Leaf]
    task_id: Leaf | None = None
    status: Leaf | None = None
    code: Leaf | None = None
    video: list[Leaf] = field(default_factory=list)
    image: list[Leaf] = field(default_factory=list)
    failure: list[Leaf] = field(default_factory=list)
    created: list[Leaf] = field(default_factory=list)
    updated: list[Leaf] = field(default_factory=list)
    is_error: bool = False
    why_error: str = ""

    @property
    def explained(self) -> bool:
        return self.is_error or bool(self.task_id or self.status or self.video or self.image)


def _best(candidates: list[Leaf], rank: dict[str, int] | None = None) -> Leaf | None:
    if not candidates:
        return None
    return min(candidates, key=lambda leaf: ((rank or {}).get(leaf.key, 0), leaf.depth))


def _plain(leaf: Leaf) -> bool:
    return not leaf.echoed and not leaf.in_array


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and " " not in value


def url_kind(leaf: Leaf) -> tuple[str, bool]:
    """``("video" | "image", generic)``: by the key's name, else by the extension (``generic`` = a guess)."""
    names = [fold(part) for part in leaf.parts if isinstance(part, str)][-2:]
    for name in reversed(names):  # the nearest key first, then its parent (videos[0].url, video.url)
        if "video" in name:
            return "video", False
        if any(word in name for word in IMAGE_WORDS):
            return "image", False
    path = str(leaf.value).split("?", 1)[0].lower()
    return ("image" if path.endswith(IMAGE_EXTENSIONS) else "video"), True


def facts_of(sample: Sample) -> BodyFacts:
    """Find each canonical field's place in one body."""
    found = list(leaves(sample.body))
    facts = BodyFacts(sample, found)
    ids = [leaf for leaf in found if _plain(leaf) and leaf.key in ID_RANKS and _id_value(leaf.value)]
    facts.task_id = _best(ids, ID_RANKS)
    statuses = [leaf for leaf in found if _plain(leaf) and leaf.key in STATUS_KEYS and isinstance(leaf.value, str)]
    facts.status = _best([leaf for leaf in statuses if leaf.value.strip()] or statuses)
    codes = [leaf for leaf in found if leaf.depth == 1 and leaf.key in CODE_KEYS and _id_value(leaf.value)]
    facts.code = codes[0] if codes else None
    for leaf in found:
        if leaf.echoed:
            continue
        if _is_url(leaf.value) and leaf.key not in PROTOCOL_URL_KEYS:
            kind, _ = url_kind(leaf)
            (facts.video if kind == "video" else facts.image).append(leaf)
        elif leaf.in_array:
            continue
        elif _failure_place(leaf):
            facts.failure.append(leaf)
        elif leaf.key in CREATED_KEYS and timestamp_unit(leaf.value):
            facts.created.append(leaf)
        elif leaf.key in UPDATED_KEYS and timestamp_unit(leaf.value):
            facts.updated.append(leaf)
    return facts


def _failure_place(leaf: Leaf) -> bool:
    if leaf.key in FAILURE_KEYS and (leaf.value is None or isinstance(leaf.value, str)):
        return True
    return leaf.key in {"message", "msg"} and len(leaf.parts) >= 2 and fold(str(leaf.parts[-2])) == "error"


def _id_value(value: Any) -> bool:
    return (isinstance(value, str) and bool(value.strip())) or (isinstance(value, int) and not isinstance(value, bool))


def timestamp_unit(value: Any) -> str | None:
    """``ms``, ``s`` or ``iso`` for a timestamp value; ``None`` when it does not look like one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            try:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return None
            return "iso" if "T" in text else None
        value = number
    if isinstance(value, int | float):
        if value > 1e12:
            return "ms"
        if value > 1e9:
            return "s"
    return None


def vocabulary() -> dict[str, str]:
    """The tool's own status words (folded) -> canonical status: Kling's, new-api's and the conventions'."""
    from conformance.normalize.reading.engine import auto_model
    from conformance.normalize.vocab import STATUS_WORDS, fold_status_word

    words = {word: status.value for word, status in STATUS_WORDS.items()}
    words.update({fold_status_word(word): status.value for word, status in auto_model().statuses.items()})
    return words


def classify(facts: list[BodyFacts]) -> list[Any]:
    """Mark the error bodies; return the envelope codes the other bodies carry (the success codes)."""
    for item in facts:
        has_task_fields = bool(item.task_id or item.status or item.video or item.image)
        http = item.sample.status_code
        marker = error_marker(item)
        if http is not None and http >= 400:
            item.is_error, item.why_error = True, f"HTTP {http}"
        elif not has_task_fields and item.sample.role == "error":
            item.is_error, item.why_error = True, "labelled error and no task field"
        elif not has_task_fields and marker is not None:
            item.is_error, item.why_error = True, f"{marker} is set and no task field"
    success = [item.code.value for item in facts if item.code is not None and not item.is_error]
    for item in facts:
        if item.is_error or item.code is None or item.task_id or item.status or item.video or item.image:
            continue
        value = item.code.value
        if value not in KNOWN_SUCCESS_CODES and any(code != value for code in success):
            item.is_error, item.why_error = True, f"code {value!r} is not a success code"
    codes: list[Any] = []
    for item in facts:
        if item.code is not None and not item.is_error and item.code.value not in codes:
            codes.append(item.code.value)
    return codes


def error_marker(item: BodyFacts) -> str | None:
    """The top-level error key set in a body (``$.error``), if any."""
    for leaf in item.leaves:
        top = leaf.parts[0] if leaf.parts else None
        if isinstance(top, str) and fold(top) in ERROR_MARKERS and leaf.value not in (None, "", 0, False):
            return render(leaf.parts[:1])
    return None


def paths_in_order(found: list[tuple[str, Seen]]) -> list[str]:
    """Distinct paths, the most often seen first (ties: first seen first)."""
    counts = Counter(path for path, _ in found)
    order: dict[str, int] = {}
    for path, _ in found:
        order.setdefault(path, len(order))
    return sorted(counts, key=lambda path: (-counts[path], order[path]))


def role_status(role: str | None) -> str | None:
    """The canonical status a labelled body's word means (``None`` without a label)."""
    return ROLES.get(role) if role else None
