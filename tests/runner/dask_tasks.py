"""Tasks for the Dask engine's tests: they lose their worker on purpose (a light module)."""
from __future__ import annotations

import os
from pathlib import Path


def die_on_poison(names: list[str], marker_dir: str) -> list[str]:
    """The names, unless one is 'poison' (the worker process dies, every time) or 'once' (it
    dies the first time only: a marker file remembers it)."""
    for name in names:
        if name == "poison":
            os._exit(1)
        marker = Path(marker_dir) / f"{name}.died"
        if name == "once" and not marker.exists():
            marker.touch()
            os._exit(1)
    return names
