"""Tool and usage errors. A contract violation is never one of these: it is a ``fail`` result.

Every :class:`UsageError` is shown to the user as one paragraph naming the file, field or flag and the
fix, and the CLI exits with code 2. No traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
#: Every result was skipped: nothing was tested (pytest's exit code for "no tests ran").
EXIT_NO_TESTS = 5


class ConformanceError(Exception):
    """Base class of every error the tool raises on purpose."""


class UsageError(ConformanceError):
    """Bad user input: a flag, a config file, a profile, a cassette. Exit code 2.

    ``where`` is the file, flag or environment variable; ``field`` the key or JSON path inside it;
    ``fix`` says what to do.
    """

    def __init__(self, problem: str, *, where: str = "", field: str = "", fix: str = "") -> None:
        self.problem = problem
        self.where = where
        self.field = field
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        """One paragraph: location, problem, fix."""
        location = self.where
        if self.field:
            location = f"{location}, field {self.field!r}" if location else f"field {self.field!r}"
        text = f"{location}: {self.problem}" if location else self.problem
        if self.fix:
            text = f"{text} Fix: {self.fix}" if text.endswith(("?", "!")) else f"{text.rstrip('.')}. Fix: {self.fix}"
        return text


class SpecError(UsageError):
    """A spec file that cannot be loaded or does not validate."""


class ProfileError(UsageError):
    """A gateway profile that cannot be loaded or does not validate."""


class CassetteError(UsageError):
    """A cassette that cannot be read, or was written by a newer tool."""


class MissingKeyError(UsageError):
    """Live or record mode without the API key variable set."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` when a close match exists, else an empty string."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {matches[0]!r}?" if matches else ""
