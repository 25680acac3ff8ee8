"""The work done inside isolated workers (gcmdash/runner/isolate.py): extract one file, parse one text.

Module-level functions, because workers receive them by reference. In a build, a worker keeps
each text it extracted until it parses it (`keep_extraction`, `parse_kept`), so a text crosses
the pipe once, to the parent, and results come back pickled once, as the bytes the parent
both reads and stores in the cache.
"""
from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gcmdash.extract.formats import ExtractedDocument, extract
from gcmdash.extract.text import HyphenLexicon, count_tokens
from gcmdash.parse import parse_document
from gcmdash.records import ParsedDocument, ParseError
from gcmdash.runner.isolate import worker_id


class RecordingLexicon:
    """A HyphenLexicon that remembers what it was asked, so a cached parse can be reused when a
    changed corpus would still answer those questions the same way."""

    def __init__(self, lexicon: HyphenLexicon) -> None:
        self._lexicon = lexicon
        self.answers: dict[str, str | None] = {}

    def repair(self, token: str) -> str | None:
        """The wrapped lexicon's answer for `token`, recorded in `answers`."""
        answer = self._lexicon.repair(token)
        self.answers[token] = answer
        return answer


def lexicon_agrees(lexicon: HyphenLexicon, answers: dict[str, str | None]) -> bool:
    """Whether `lexicon` answers each recorded question as recorded (a cached parse still holds)."""
    return all(lexicon.repair(token) == answer for token, answer in answers.items())


def extract_task(path: str, state: dict) -> tuple[ExtractedDocument, Counter[str] | None]:  # noqa: ARG001
    """The document, and its word counts for the corpus-wide hyphen lexicon (the map half of
    HyphenLexicon.from_token_counts; None when there is no text). The file is read only if it
    is still a regular file inside its folder (the input folder)."""
    document = extract(Path(path), inside=Path(path).parent)
    return document, (count_tokens(document.text) if document.text is not None else None)


def set_lexicon_task(lexicon: HyphenLexicon, state: dict) -> None:
    """Keep the corpus lexicon in the worker's state for the parse tasks that follow."""
    state["lexicon"] = lexicon


def parse_task(text: str, state: dict) -> tuple[ParsedDocument | str, dict[str, Any]]:
    """(parsed document, or the ParseError message; the lexicon questions asked)."""
    recording = RecordingLexicon(state["lexicon"])
    try:
        return parse_document(text, recording), recording.answers
    except ParseError as exc:
        return str(exc), recording.answers


def keep_extraction(argument: tuple[Callable[[str, dict], tuple], str], state: dict
                    ) -> tuple[int, bytes]:
    """(this worker's id, the pickle of `function(path, state)`: extract_task's document and
    word counts); the text stays in this worker for the parse that follows (parse_kept)."""
    function, path = argument
    document, counts = function(path, state)
    if document.text is not None:
        state.setdefault("texts", {})[document.sha256] = document.text
    return worker_id(), pickle.dumps((document, counts), protocol=pickle.HIGHEST_PROTOCOL)


def forget_texts_task(parsers: dict[str, int | None], state: dict) -> None:
    """Let go of every kept text this worker will not parse (`parsers`: the content about to
    be parsed -> the worker that holds its text): a duplicate's copy when another worker
    holds the content too, a text whose parse came from the cache."""
    kept = state.get("texts", {})
    for sha256 in [s for s in kept if parsers.get(s) != worker_id()]:
        del kept[sha256]


def parse_kept(argument: tuple[str, str | None], state: dict) -> bytes:
    """The pickle of parse_task's result for (sha256, text); a text of None is the one this
    worker kept when it extracted that content."""
    sha256, text = argument
    kept = state.get("texts", {}).pop(sha256, None)
    if text is None and kept is None:
        raise LookupError("this worker holds no text of that content")
    return pickle.dumps(parse_task(text if text is not None else kept, state),
                        protocol=pickle.HIGHEST_PROTOCOL)
