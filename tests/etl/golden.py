"""Golden records: what each seed document must parse into, reviewed by hand and kept as JSON.

Regenerate after an intended parser change with `GCMDASH_WRITE_GOLDEN=1 pytest tests/etl`, then
read the diff line by line before committing it: the golden files are the specification.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

from gcmdash.records import ParsedDocument

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


# Fields added to ParsedDocument after the seed goldens were written, left out while empty: the
# seeds state none of them, and their golden files stay the specification they were.
_LATER_FIELDS = ("panels",)


def as_golden(parsed: ParsedDocument) -> dict:
    plain = _plain(parsed)
    return {k: v for k, v in plain.items() if not (k in _LATER_FIELDS and v == [])}


def golden_path(document_name: str) -> Path:
    return GOLDEN_DIR / f"{Path(document_name).stem}.json"


def dump(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
