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


def burn(seconds, state):  # noqa: ARG001 - worker task signature
    """Compute (not wait) for `seconds` of this process's processor time; None: for ever."""
    end = None if seconds is None else time.process_time() + seconds
    while end is None or time.process_time() < end:
        sum(range(1000))
    return seconds


def burn_on_marked_files(path, state):
    """extract_task, except that a file starting 'BURN s' on its first line first computes
    for s seconds of processor time ('BURN forever': never stops), and leaves a hidden mark
    that it ran."""
    from pathlib import Path

    from gcmdash.runner.tasks import extract_task

    data = Path(path).read_bytes()
    if data.startswith(b"BURN "):
        mark = Path(path).with_name(f".{Path(path).name}.ran")
        with mark.open("a", encoding="ascii") as handle:
            handle.write("x")
        amount = data[5:].split(b"\n", 1)[0].strip()
        burn(None if amount == b"forever" else float(amount), state)
    return extract_task(path, state)


def echo_or_fail(value, state):  # noqa: ARG001 - worker task signature
    """value back, except 'die' (the worker exits), 'hang' (never answers), 'raise'."""
    import os

    if value == "die":
        os._exit(3)
    if value == "hang":
        time.sleep(3600)
    if value == "raise":
        raise ValueError("asked to")
    return value


def kept_texts(value, state):  # noqa: ARG001 - worker task signature
    """The contents whose text this worker keeps for a parse (gcmdash.runner.tasks)."""
    return sorted(state.get("texts", {}))
