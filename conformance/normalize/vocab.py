"""Status vocabulary: every raw status word gateways send, mapped to the canonical Kling status.

The mapping is case-insensitive and treats ``-`` and spaces like ``_`` (``IN_PROGRESS``, ``in-progress``
and ``In Progress`` all read as ``processing``). Anything not listed, including ``""``, is ``unknown``.
"""

from __future__ import annotations

from conformance.models import TaskStatus

#: Canonical status of each known word (lower case, ``_`` separated).
STATUS_WORDS: dict[str, TaskStatus] = {
    "submitted": TaskStatus.SUBMITTED,
    "queued": TaskStatus.SUBMITTED,
    "not_start": TaskStatus.SUBMITTED,
    "initializing": TaskStatus.SUBMITTED,
    "pending": TaskStatus.SUBMITTED,
    "processing": TaskStatus.PROCESSING,
    "in_progress": TaskStatus.PROCESSING,
    "running": TaskStatus.PROCESSING,
    "succeed": TaskStatus.SUCCEED,
    "succeeded": TaskStatus.SUCCEED,
    "success": TaskStatus.SUCCEED,
    "completed": TaskStatus.SUCCEED,
    "failed": TaskStatus.FAILED,
    "failure": TaskStatus.FAILED,
}

#: The four words the official Kling API uses, exactly as it spells them.
KLING_WORDS: frozenset[str] = frozenset({"submitted", "processing", "succeed", "failed"})

#: ``message`` values that mean "the request worked" and so never explain a failure.
SUCCESS_MESSAGES: frozenset[str] = frozenset({"succeed", "success", "succeeded", "ok", ""})

_SEPARATORS = str.maketrans({"-": "_", " ": "_"})


#: Words folded so far (bounded: a hostile gateway sending a fresh word per body cannot grow it).
_FOLDED: dict[str, str] = {}
_MAX_FOLDED = 4096


def fold_status_word(word: str) -> str:
    """The lookup key of a raw word: stripped, lower case, ``-``/space turned into ``_``."""
    folded = _FOLDED.get(word)
    if folded is None:
        folded = word.strip().lower().translate(_SEPARATORS)
        if len(_FOLDED) < _MAX_FOLDED and type(word) is str:
            _FOLDED[word] = folded
    return folded


def canonical_status(word: str) -> TaskStatus:
    """The canonical status of a raw word (``unknown`` when the word is not in the vocabulary)."""
    return STATUS_WORDS.get(fold_status_word(word), TaskStatus.UNKNOWN)


def is_success_message(message: str) -> bool:
    """Whether ``message`` is a success word (``SUCCEED``, ``success``...), never a failure reason."""
    return message.strip().lower() in SUCCESS_MESSAGES
