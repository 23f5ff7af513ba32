"""Draft a profile from sample bodies: the inferred ``[reading]`` as a commented TOML document, then checked.

The draft is read back with the tool's own reading model (:func:`conformance.normalize`) before it is
handed out: every body is read with it, and a body it cannot explain, or reads otherwise than inferred,
gets a ``TODO`` line instead of a confident guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.profiles.drafting.document import Document, Section
from conformance.profiles.drafting.infer import (
    ERROR_CODE_KEYS,
    ERROR_MESSAGE_KEYS,
    ID_RANKS,
    KNOWN_SUCCESS_CODES,
    BodyFacts,
    Finding,
    Seen,
    classify,
    error_marker,
    facts_of,
    paths_in_order,
    role_status,
    timestamp_unit,
    url_kind,
    vocabulary,
)
from conformance.profiles.drafting.leaves import Leaf, render
from conformance.profiles.drafting.samples import Sample


@dataclass(slots=True)
class Reading:
    """How the draft reads one sample body (what ``inspect --profile draft.toml`` would say)."""

    label: str
    shape: str
    is_error: bool
    status: str | None
    task_id: str | None
    video_urls: tuple[str, ...]


@dataclass(slots=True)
class Draft:
    """A drafted profile: the document, every finding (with evidence), and how the draft reads each body."""

    document: Document
    findings: list[Finding] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)

    @property
    def to_confirm(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.confirm]

    def text(self) -> str:
        return self.document.text()

    def data(self) -> dict[str, Any]:
        return self.document.data()


def _seen(facts: BodyFacts, leaf: Leaf, *, wildcard: bool = False) -> tuple[str, Seen]:
    path = leaf.path(wildcard=wildcard)
    return path, Seen(facts.sample.label, leaf.path(), leaf.value)


def _evidence(found: list[tuple[str, Seen]], path: str) -> list[Seen]:
    return [seen for p, seen in found if p == path]


class _Drafter:
    def __init__(self, samples: list[Sample], profile_id: str, base_url: str | None) -> None:
        self.samples = samples
        self.profile_id = profile_id
        self.base_url = base_url
        self.facts = [facts_of(sample) for sample in samples]
        self.success_codes = classify(self.facts)
        self.ok = [item for item in self.facts if not item.is_error]
        self.errors = [item for item in self.facts if item.is_error]
        self.findings: list[Finding] = []
        self.decode: list[str] = []
        self.preamble_notes: list[str] = []
        self.has_error_shape = False

    def loose(self, finding: Finding) -> None:
        """A finding no key carries: said at the top of the draft."""
        self.findings.append(finding)
        self.preamble_notes.append(finding.comment())

    def note(self, section: Section, key: str, value: Any, finding: Finding) -> None:
        self.findings.append(finding)
        section.add(key, value, finding.comment())

    # -- the top of the profile -------------------------------------------------------------------
    def head(self, doc: Document) -> None:
        labels = ", ".join(sample.label for sample in self.samples[:6])
        more = f" and {len(self.samples) - 6} more" if len(self.samples) > 6 else ""
        doc.preamble = [
            f"Drafted by `kling-conformance profile draft` from {len(self.samples)} bodies: {labels}{more}.",
            "Each inference names its evidence (body, JSONPath). A line 'TODO confirm' is a guess: check it",
            "against the gateway's documentation, then delete the TODO. Keys: docs/profiles.md.",
        ]
        top = doc.section("")
        top.add("id", self.profile_id)
        top.add("title", f"{self.profile_id} (drafted from {len(self.samples)} bodies)")
        top.add("family", "custom")
        top.add(
            "base_url",
            self.base_url or "https://api.example.com",
            ""
            if self.base_url
            else "TODO confirm: the gateway's base URL (a body does not say it; --base-url sets it)",
        )
        top.add("path_prefix", "")
        evidence = doc.section("evidence")
        evidence.add("kind", "user-supplied")
        evidence.add("source", f"bodies: {labels}{more}"[:500])
        doc.section(
            'operations."*"',
            comments=(
                "TODO confirm: which operations the gateway serves, their paths, request bodies and task protocol",
                '([operations."<op>"], .request and .task in docs/profiles.md). Bodies do not say them.',
            ),
        ).add("supported", False)

    # -- statuses ---------------------------------------------------------------------------------
    def statuses(self, doc: Document) -> None:
        words = vocabulary()
        from conformance.normalize.vocab import fold_status_word

        seen: dict[str, list[BodyFacts]] = {}
        for item in self.facts:
            if item.status is not None and item.status.value.strip():
                seen.setdefault(item.status.value, []).append(item)
        if not seen:
            return
        section = doc.section("reading.statuses", comments=("raw status word -> canonical status",))
        for word, items in seen.items():
            evidence = [Seen(i.sample.label, i.status.path(), word) for i in items if i.status is not None]
            known = words.get(fold_status_word(word))
            labelled = next((role_status(i.sample.role) for i in items if i.sample.role), None)
            if known is not None:
                confirm = None
                if labelled and labelled != known:
                    confirm = f"the body was labelled {labelled!r}, the vocabulary says {known!r}"
                self.note(
                    section,
                    word,
                    known,
                    Finding("status", f"{word!r} reads as {known} (the tool's vocabulary)", evidence, confirm),
                )
            elif labelled:
                self.note(
                    section,
                    word,
                    labelled,
                    Finding(
                        "status",
                        f"{word!r} is not in the vocabulary; {labelled} because its body was labelled so",
                        evidence,
                        "a label names one body, not the word's meaning",
                    ),
                )
            else:
                hint = _status_hint(items)
                self.note(
                    section,
                    word,
                    "unknown",
                    Finding(
                        "status",
                        f"{word!r} is not in the vocabulary and reads as unknown{hint}",
                        evidence,
                        "map the word to submitted, processing, succeed or failed",
                    ),
                )

    # -- the error shape --------------------------------------------------------------------------
    def error_shape(self, doc: Document, anchors: list[str]) -> None:
        if not self.errors:
            if self.ok:
                self.loose(
                    Finding(
                        "errors",
                        "no error body was given: no error shape drafted",
                        [],
                        "add an error body (e.g. a bad key or an unknown task) and draft again",
                    )
                )
            return
        evidence = [Seen(item.sample.label, "$", None) for item in self.errors]
        codes = [item.code for item in self.errors]
        when: list[dict[str, Any]] | None = None
        how = ""
        if self.success_codes and all(code is not None for code in codes):
            code_path = codes[0].path() if codes[0] is not None else "$.code"
            if all(code is not None and code.value not in self.success_codes for code in codes):
                when = [{"path": code_path, "exists": True}, {"path": code_path, "not_in": self.success_codes}]
                how = f"{code_path} is not a success code"
        if when is None:
            markers = {error_marker(item) for item in self.errors}
            if len(markers) == 1 and None not in markers:
                marker = markers.pop() or "$.error"
                when = [{"path": marker, "empty": False}] + [{"path": a, "exists": False} for a in anchors]
                how = f"{marker} is set and no task field is"
        if when is None and all((item.sample.status_code or 0) >= 400 for item in self.errors):
            when, how = [{"http": ["4xx", "5xx"]}], "the HTTP status is 4xx or 5xx"
        if when is None:
            self.loose(
                Finding(
                    "errors",
                    "the error bodies share no envelope code, error key or HTTP status: no error shape drafted",
                    evidence,
                    "say what makes a body an error (reading.shapes[].when with error = true)",
                )
            )
            return
        shape = doc.section("reading.shapes", array=True, comments=("an error answer",))
        shape.add("id", "draft-error")
        shape.add("error", True)
        self.note(
            shape,
            "when",
            when,
            Finding(
                "error",
                f"a body is an error when {how}",
                evidence,
                "check with an error body of every kind (auth, unknown task, invalid)",
            ),
        )
        code_found: list[tuple[str, Seen]] = []
        message_found: list[tuple[str, Seen]] = []
        for item in self.errors:
            for leaf in item.leaves:
                if (
                    leaf.echoed
                    or leaf.in_array
                    or not isinstance(leaf.value, str | int)
                    or isinstance(leaf.value, bool)
                ):
                    continue
                top_code = leaf.depth == 1 and item.code is not None and leaf.parts == item.code.parts
                if top_code or (leaf.depth >= 2 and leaf.key in ERROR_CODE_KEYS):
                    code_found.append(_seen(item, leaf))
                elif leaf.key in ERROR_MESSAGE_KEYS and isinstance(leaf.value, str):
                    message_found.append(_seen(item, leaf))
        if code_found:
            paths = sorted(paths_in_order(code_found), key=lambda path: not path.endswith("code"))
            self.note(
                shape,
                "error_code",
                paths,
                Finding("error code", f"at {', '.join(paths)}", _evidence(code_found, paths[0])),
            )
        if message_found:
            paths = paths_in_order(message_found)
            self.note(
                shape,
                "error_message",
                paths,
                Finding("error message", f"at {', '.join(paths)}", _evidence(message_found, paths[0])),
            )
            shape.add("failure_reason", paths)
        self.has_error_shape = True

    # -- the task shape ---------------------------------------------------------------------------
    def task_fields(self) -> dict[str, tuple[list[str], list[tuple[str, Seen]], str | None]]:
        """field -> (paths, evidence, why confirm) for the task shape."""
        out: dict[str, tuple[list[str], list[tuple[str, Seen]], str | None]] = {}
        ids = [_seen(item, item.task_id) for item in self.ok if item.task_id is not None]
        if ids:
            paths = paths_in_order(ids)
            weakest = max(ID_RANKS.get(_last_key(path), 0) for path in paths)
            why = None
            if weakest >= 3:
                why = "request_id may be the id of the HTTP call, not of the task: check the get endpoint takes it"
            out["task_id"] = (paths, ids, why)
        statuses = [_seen(item, item.status) for item in self.ok if item.status is not None]
        if statuses:
            out["status"] = (paths_in_order(statuses), statuses, None)
        for name, pick in (("video_urls", "video"), ("image_urls", "image")):
            found: list[tuple[str, Seen]] = []
            generic = False
            for item in self.ok:
                for leaf in getattr(item, pick):
                    found.append(_seen(item, leaf, wildcard=True))
                    generic = generic or url_kind(leaf)[1]
            if found:
                why = None
                if generic:
                    why = f"the key does not say {pick}: read as {pick} by the URL's extension"
                out[name] = (paths_in_order(found), found, why)
        failures = [_seen(item, leaf) for item in self.ok for leaf in item.failure]
        if failures:
            failed = [
                (path, seen)
                for path, seen in failures
                if isinstance(seen.value, str) and seen.value.strip() and _is_failed(self.ok, seen.label)
            ]
            paths = paths_in_order(failed) + [p for p in paths_in_order(failures) if p not in dict(failed)]
            why = None if failed else "no failed task body showed a reason there: add one to be sure"
            out["failure_reason"] = (paths, failures, why)
        return out

    def task_shape(
        self, doc: Document, fields: dict[str, tuple[list[str], list[tuple[str, Seen]], str | None]]
    ) -> None:
        if not self.ok:
            return
        shape = doc.section("reading.shapes", array=True, comments=("a task: submit, poll and result bodies",))
        shape.add("id", "draft-task")
        labels = [Seen(item.sample.label, "$", None) for item in self.ok]
        if self.success_codes:
            code_leaf = next(item.code for item in self.ok if item.code is not None)
            assert code_leaf is not None
            codes = self.success_codes
            unusual = [code for code in codes if code not in KNOWN_SUCCESS_CODES]
            why = f"{unusual!r} is not a usual success code" if unusual else None
            self.note(
                shape,
                "when",
                [{"path": code_leaf.path(), "in": codes}],
                Finding(
                    "success codes",
                    f"{code_leaf.path()} in {codes!r} means success",
                    [Seen(item.sample.label, code_leaf.path(), item.code.value) for item in self.ok if item.code],
                    why,
                ),
            )
        else:
            anchors = self.anchors(fields)
            if anchors:
                self.note(
                    shape,
                    "when",
                    [{"any": [{"path": a, "exists": True} for a in anchors]}],
                    Finding("task bodies", f"a body holding {' or '.join(anchors)} is a task", labels),
                )
        if self.decode:
            shape.add(
                "decode", [{"path": p, "note": f"{p.removeprefix('$.')} is JSON in a string"} for p in self.decode]
            )
        for name, (paths, found, why) in fields.items():
            value: Any = paths[0] if len(paths) == 1 else paths
            if name == "failure_reason" and paths:
                value = [{"path": p, "type": "string"} for p in paths]
            self.note(
                shape,
                name,
                value,
                Finding(name.replace("_", " "), f"at {', '.join(paths)}", [s for p, s in found if p in paths][:6], why),
            )
        for name, attr in (("created_at", "created"), ("updated_at", "updated")):
            self.timestamps(shape, name, attr)

    def timestamps(self, shape: Section, name: str, attr: str) -> None:
        found = [_seen(item, leaf) for item in self.ok for leaf in getattr(item, attr)]
        if not found:
            return
        places = []
        for path in paths_in_order(found):
            units = {timestamp_unit(seen.value) for p, seen in found if p == path} - {None}
            unit = units.pop() if len(units) == 1 else "auto"
            places.append({"path": path, "unit": unit})
        why = None if all(place["unit"] != "auto" for place in places) else "the values were sent in mixed units"
        text = ", ".join(f"{p['path']} ({p['unit']})" for p in places)
        self.note(shape, name, places, Finding(name.replace("_", " "), text, [s for _, s in found][:6], why))

    def anchors(self, fields: dict[str, tuple[list[str], list[tuple[str, Seen]], str | None]]) -> list[str]:
        out: list[str] = []
        for name in ("task_id", "status", "video_urls", "image_urls"):
            for path in fields.get(name, ([], [], None))[0]:
                cut = path.split("[*]", 1)[0]
                if cut not in out and cut != "$":
                    out.append(cut)
        return out

    def unexplained(self) -> None:
        for item in self.facts:
            if not item.explained:
                keys = list(item.sample.body)[:8] if isinstance(item.sample.body, dict) else []
                self.loose(
                    Finding(
                        "unexplained body",
                        f"no task id, status, result URL or error found (keys: {keys}); it reads as unknown",
                        [Seen(item.sample.label, "$", None)],
                        "describe its shape by hand",
                    )
                )

    def build(self) -> Draft:
        doc = Document()
        self.head(doc)
        reading = doc.section(
            "reading",
            comments=("bodies no shape below explains are read by the zero-config conventions, else as unknown",),
        )
        reading.add("base", ["auto"])
        self.statuses(doc)
        fields = self.task_fields()
        self.decode = sorted(
            {
                seen_leaf.decoded_from
                for item in self.ok
                for seen_leaf in _used_leaves(item)
                if seen_leaf.decoded_from is not None
            }
        )
        self.error_shape(doc, [a for a in self.anchors(fields) if a.count("[") == 0][:6])
        self.task_shape(doc, fields)
        if self.has_error_shape:
            errors = doc.section(
                "errors",
                comments=("TODO confirm: every kind of error answer (auth, unknown task, unsupported) has this shape",),
            )
            for key in ("shape", "auth_shape", "unknown_task_shape", "unsupported_shape"):
                errors.add(key, "draft-error")
        self.unexplained()
        for item in self.errors:
            self.findings.append(
                Finding("error body", f"read as an error: {item.why_error}", [Seen(item.sample.label, "$", None)])
            )
        doc.preamble.extend(self.preamble_notes)
        return Draft(doc, self.findings)


def _used_leaves(item: BodyFacts) -> list[Leaf]:
    used = [leaf for leaf in (item.task_id, item.status) if leaf is not None]
    return used + item.video + item.image + item.failure


def _last_key(path: str) -> str:
    from conformance.profiles.drafting.leaves import fold

    return fold(path.rsplit(".", 1)[-1].strip("[]'\""))


def _is_failed(items: list[BodyFacts], label: str) -> bool:
    from conformance.normalize.vocab import fold_status_word

    words = vocabulary()
    for item in items:
        if item.sample.label == label:
            if item.sample.role == "error":
                return True
            return item.status is not None and words.get(fold_status_word(item.status.value)) == "failed"
    return False


def _status_hint(items: list[BodyFacts]) -> str:
    if any(item.video or item.image for item in items):
        return " (its body carries a result URL: perhaps succeed)"
    if any(any(isinstance(leaf.value, str) and leaf.value.strip() for leaf in item.failure) for item in items):
        return " (its body carries an error text: perhaps failed)"
    return ""


def check_draft(draft: Draft, samples: list[Sample]) -> None:
    """Load the draft as a profile and read every sample with it; disagreements become TODO findings."""
    from conformance.normalize import normalize
    from conformance.profiles.loader import profile_from_data

    profile = profile_from_data(draft.data(), source=f"<draft {draft.data().get('id')}>")
    for sample in samples:
        result = normalize(sample.raw or sample.body, status_code=sample.status_code, profile=profile)
        draft.readings.append(
            Reading(
                sample.label,
                result.shape.value,
                result.is_error,
                None if result.status is None else result.status.value,
                result.task_id,
                result.video_urls,
            )
        )
        if result.shape.value == "unknown" and not result.is_error:
            finding = Finding(
                "reading",
                "the draft reads this body as unknown",
                [Seen(sample.label, "$", None)],
                "describe its shape by hand",
            )
            draft.findings.append(finding)
            draft.document.preamble.append(finding.comment())


def draft_profile(samples: list[Sample], *, profile_id: str = "my-gateway", base_url: str | None = None) -> Draft:
    """Draft a profile from ``samples``, then read each sample with it (:func:`check_draft`)."""
    draft = _Drafter(samples, profile_id, base_url).build()
    check_draft(draft, samples)
    return draft


__all__ = ["Draft", "Reading", "check_draft", "draft_profile", "render"]
