"""The terminal's last line of defence: stdout and stderr scrub every registered secret.

:func:`install` wraps ``sys.stdout`` and ``sys.stderr`` (and their ``.buffer``) so that whatever a
command prints goes through :func:`conformance.harness.redact.scrub_registered_text` first; the
secrets are those the run registered (its keys, the secrets in ``--base-url``). Before anything is
registered the wrapper only passes text through.
"""

from __future__ import annotations

import sys
from typing import Any


class _ScrubbingBuffer:
    """A binary stream whose writes are scrubbed (``sys.stdout.buffer``)."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        from conformance.scrub import scrub_registered

        self._raw.write(scrub_registered(bytes(data)))
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class ScrubbingStream:
    """A text stream whose writes are scrubbed; every other attribute is the wrapped stream's."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        from conformance.scrub import registered_secrets, scrub_text

        secrets = registered_secrets()
        self._raw.write(scrub_text(text, secrets) if secrets else text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    @property
    def buffer(self) -> Any:
        return _ScrubbingBuffer(self._raw.buffer)

    @property
    def wrapped(self) -> Any:
        """The stream underneath."""
        return self._raw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def install() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, ScrubbingStream):
            setattr(sys, name, ScrubbingStream(stream))
