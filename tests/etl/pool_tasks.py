"""Tasks for the isolated-pool tests; a light module, so workers import nothing heavy."""
from __future__ import annotations

import time


def slow(seconds, state):  # noqa: ARG001 - worker task signature
    time.sleep(seconds)
    return seconds


def allocate(size, state):  # noqa: ARG001 - worker task signature
    return len(bytearray(size))


def hang_on_marked_files(path, state):
    """extract_task, except that a file whose content is 'HANG' never finishes."""
    from pathlib import Path

    from gcmdash.runner.tasks import extract_task

    if Path(path).read_bytes() == b"HANG":
        time.sleep(3600)
    return extract_task(path, state)
