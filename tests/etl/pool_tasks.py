"""Tasks for the isolated-pool tests; a light module, so workers import nothing heavy."""
from __future__ import annotations

import time


def slow(seconds, state):  # noqa: ARG001 - worker task signature
    time.sleep(seconds)
    return seconds


def allocate(size, state):  # noqa: ARG001 - worker task signature
    return len(bytearray(size))
