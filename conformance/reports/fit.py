"""Size limits of the places Markdown is pasted into, and how text is cut to fit them.

GitHub caps a job's step summary (``$GITHUB_STEP_SUMMARY``) at 1 MiB and a pull-request comment at
65,536 characters. A text that is longer is cut at a line boundary (never inside a fenced block or a
``<details>`` it opened), and a last line says how much was left out and where the whole text is (the
CI artifact). Also here: :func:`display_path`, so that no output names an absolute local path.
"""

from __future__ import annotations

import os
from pathlib import Path

#: GitHub's cap on one step summary, in bytes.
STEP_SUMMARY_LIMIT = 1024 * 1024
#: GitHub's cap on one pull-request comment, in characters.
PR_COMMENT_LIMIT = 65_536


def _open_blocks(lines: list[str]) -> tuple[bool, int]:
    """(inside a ``` fence, number of unclosed ``<details>``) after ``lines``."""
    fence, details = False, 0
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = not fence
        elif not fence:
            details += stripped.count("<details") - stripped.count("</details>")
    return fence, max(0, details)


def fit(text: str, limit: int, *, where: str, measure: str = "chars") -> str:
    """``text`` if it fits ``limit`` (``measure``: ``chars`` or ``bytes`` of UTF-8), else cut to fit with a note.

    ``where`` names the complete version, e.g. ``"the full comparison is in the compare.md artifact"``.
    """

    def size(value: str) -> int:
        return len(value.encode("utf-8")) if measure == "bytes" else len(value)

    if size(text) <= limit:
        return text
    lines = text.splitlines()
    note_room = 400 + size(where)
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = size(line) + 1
        if used + cost > limit - note_room:
            break
        kept.append(line)
        used += cost
    fence, details = _open_blocks(kept)
    closing = (["```"] if fence else []) + ["", "</details>"] * details
    left = len(lines) - len(kept)
    note = f"> [!NOTE]\n> Cut to fit GitHub's limit ({limit:,} {measure}): {left:,} more lines left out; {where}."
    return "\n".join([*kept, *closing, "", note]) + "\n"


def display_path(path: str | Path, fallback: str = "") -> str:
    """``path`` as output may show it: relative to the working directory when inside it, else ``fallback``
    (or the last two parts of the path), never an absolute local path."""
    target = Path(path)
    if not target.is_absolute():
        return target.as_posix()
    try:
        return (
            Path(os.path.relpath(target, Path.cwd())).as_posix()
            if target.is_relative_to(Path.cwd())
            else (fallback or Path(*target.parts[-2:]).as_posix())
        )
    except ValueError:  # another drive (Windows)
        return fallback or Path(*target.parts[-2:]).as_posix()
