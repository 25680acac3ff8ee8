"""gcmdash.vocab is the one list of every enumeration: the schema's CHECKs, the code that
dispatches or ranks on a value, and every label and colour map in views/ are held to it.

Adding a value (a document kind, a role, ...) is one edit in src/gcmdash/vocab.py; these tests
then name each file that still has to follow it (the schema's CHECK, a parser, a rule table)."""
from __future__ import annotations

import csv
import importlib
import re

import pytest

from gcmdash import provenance, vocab
from gcmdash.config import ROOT
from gcmdash.derive import organisations, resolve
from gcmdash.parse import _PARSERS, procedural_note, summary
from gcmdash.views import charts, exports, queries, tables

SCHEMA = ROOT / "src" / "gcmdash" / "schema.sql"
# the module (gcmdash.parse re-exports its function of the same name)
classify = importlib.import_module("gcmdash.parse.classify")

# (table, column) -> the vocabulary its CHECK (column IN (...)) lists.
SCHEMA_VOCAB: dict[tuple[str, str], str] = {
    ("documents", "document_type"): "DOCUMENT_KINDS",
    ("documents", "status"): "DOCUMENT_STATUSES",
    ("session_facts", "fact"): "SESSION_FACTS",
    ("agenda_items", "item_type"): "ITEM_TYPES",
    ("format_rules", "unit"): "FORMAT_UNITS",
    ("roles", "role"): "ROLES",
    ("roles", "gender_as_listed"): "GENDERS",
    ("roles", "organisation_type"): "ORGANISATION_TYPES",
    ("participation", "qualifier"): "QUALIFIERS",
    ("person_directory", "gender_as_listed"): "GENDERS",
    ("record_coverage", "status"): "COVERAGE_STATES",
    ("name_matches", "status"): "NAME_MATCH_STATUSES",
    ("quality_flags", "severity"): "SEVERITIES",
    ("text_units", "unit_type"): "UNIT_TYPES",
    ("coverage", "status"): "OBJECTIVE_COVERAGE_STATES",
}

# Every value -> label / colour map in views/, and the vocabulary whose values it must cover.
VIEW_MAPS: dict[str, str] = {
    "tables.MEASURE_LABELS": "MEASURES",
    "tables.ROLE_LABELS": "ROLES",
    "tables.GENDER_LABELS": "GENDERS",
    "tables.SEVERITY_LABELS": "SEVERITIES",
    "tables.ORGANISATION_LABELS": "ORGANISATION_TYPES",
    "tables.COVERAGE_LABELS": "COVERAGE_ITEMS",
    "tables.ITEM_TYPE_LABELS": "ITEM_TYPES",
    "tables.DOCUMENT_TYPE_LABELS": "DOCUMENT_KINDS",
    "tables.RULE_LABELS": "FORMAT_RULES",
    "tables.UNIT_TYPE_LABELS": "UNIT_TYPES",
    "tables.COVERAGE_STATUS_LABELS": "OBJECTIVE_COVERAGE_STATES",
    "tables.CELL_STATE_LABELS": "OBJECTIVE_CELL_STATES",
    "charts._CELL_COLOURS": "OBJECTIVE_CELL_STATES",
    "charts._CELL_LABELS": "OBJECTIVE_CELL_STATES",
    "tables._QUALIFIER_PREFIX": "QUALIFIERS",
    "tables._SESSION_LABELS": "SESSIONS",
    "charts._GENDER_COLOURS": "GENDERS",
    "charts._ORGANISATION_COLOURS": "ORGANISATION_TYPES",
    "charts._ITEM_COLOURS": "ITEM_TYPES",
    "charts._SESSION_COLOURS": "SESSIONS",
}
_MAP_NAME = re.compile(r"_(LABELS|COLOURS|PREFIX|PREFIXES)$")

ENUMERATIONS = sorted({*SCHEMA_VOCAB.values(), *VIEW_MAPS.values(), "SESSIONS"})


def _tables() -> dict[str, str]:
    """schema.sql: table name -> the text of its CREATE TABLE statement."""
    text = SCHEMA.read_text(encoding="utf-8")
    return dict(re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", text, re.DOTALL))


def _in_lists(body: str) -> list[tuple[str, set[str]]]:
    """(column, values) of every `column IN ('a', 'b', ...)` in a table's statement."""
    return [(column, set(re.findall(r"'([^']*)'", listed)))
            for column, listed in re.findall(r"\(?(\w+) IN \(((?:'[^']*'(?:, )?)+)\)", body)]


def _schema_column_lists() -> dict[tuple[str, str], set[str]]:
    """(table, column) -> values of its column CHECK (column IN (...)), the first one."""
    out: dict[tuple[str, str], set[str]] = {}
    for table, body in _tables().items():
        for line in body.splitlines():
            declared = re.match(r"\s*(\w+) VARCHAR\b.*CHECK \((\w+) IN ", line)
            if declared and declared.group(1) == declared.group(2):
                (column, listed), = _in_lists(line)
                out[(table, column)] = listed
    return out


def _values(name: str) -> set:
    return set(vocab.values(getattr(vocab, name)))


def test_the_schema_has_no_enumerated_column_without_a_vocabulary():
    unmapped = sorted(set(_schema_column_lists()) - set(SCHEMA_VOCAB))
    assert not unmapped, (
        f"src/gcmdash/schema.sql has CHECK (column IN (...)) lists on {unmapped} with no "
        f"vocabulary: add their values to src/gcmdash/vocab.py and the column to SCHEMA_VOCAB "
        f"in tests/test_vocab.py")


@pytest.mark.parametrize(("table", "column"), sorted(SCHEMA_VOCAB))
def test_each_schema_check_lists_exactly_the_vocabulary(table, column):
    name = SCHEMA_VOCAB[(table, column)]
    listed = _schema_column_lists().get((table, column))
    assert listed is not None, (f"src/gcmdash/schema.sql: {table}.{column} no longer has a "
                                f"CHECK ({column} IN (...)); update SCHEMA_VOCAB in this test")
    expected = _values(name)
    assert listed == expected, (
        f"src/gcmdash/schema.sql: CHECK ({column} IN (...)) on {table}.{column} must list "
        f"vocab.{name}: add {sorted(expected - listed)}, remove {sorted(listed - expected)}")


def test_the_schemas_other_checks_name_only_vocabulary_values():
    """Row CHECKs such as (status = 'duplicate') or (role IN ('panelist', 'moderator'))."""
    wrong = []
    for table, body in _tables().items():
        for column, value in re.findall(r"\((\w+) = '([^']*)'\)", body):
            name = SCHEMA_VOCAB.get((table, column))
            if name and value not in _values(name):
                wrong.append(f"{table}: ({column} = '{value}') is not in vocab.{name}")
        for column, listed in _in_lists(body):
            name = SCHEMA_VOCAB.get((table, column))
            if name and not listed <= _values(name):
                wrong.append(f"{table}: {column} IN {sorted(listed)} is not within vocab.{name}")
    assert not wrong, "src/gcmdash/schema.sql: " + "; ".join(wrong)
    roles = _tables()["roles"]
    (panel_roles,) = re.findall(r"\(\(role IN \(([^)]*)\)\) = \(panel_number IS NOT NULL\)\)",
                                roles)
    assert set(re.findall(r"'([^']*)'", panel_roles)) == set(vocab.PANEL_ROLES), (
        "src/gcmdash/schema.sql: the roles CHECK on panel_number must name vocab.PANEL_ROLES")


def test_every_session_number_check_spans_the_sessions():
    sessions = vocab.values(vocab.SESSIONS)
    assert sessions == tuple(range(1, vocab.STOCKTAKING_SESSION + 1))
    spans = set(re.findall(r"session_number BETWEEN (\d+) AND (\d+)",
                           SCHEMA.read_text(encoding="utf-8")))
    assert spans == {(str(min(sessions)), str(max(sessions)))}, (
        f"src/gcmdash/schema.sql: every CHECK (session_number BETWEEN ...) must span "
        f"vocab.SESSIONS {min(sessions)}-{max(sessions)}; found {sorted(spans)}")


@pytest.mark.parametrize("name", ENUMERATIONS)
def test_each_vocabulary_is_well_formed(name):
    terms = getattr(vocab, name)
    assert terms and all(isinstance(t, vocab.Term) for t in terms)
    assert len(set(vocab.values(terms))) == len(terms), f"vocab.{name}: a value is repeated"
    assert len({t.order for t in terms}) == len(terms), f"vocab.{name}: two terms share an order"
    assert all(t.label.strip() for t in terms), f"vocab.{name}: a term has no label"
    assert all(t.colour is None or re.fullmatch(r"#[0-9A-Fa-f]{6}", t.colour) for t in terms)
    assert all("'" not in str(v) for v in vocab.values(terms)), f"vocab.{name}: a quote in a value"


def test_every_label_and_colour_map_in_views_is_known_here():
    found = {f"{module.__name__.rsplit('.', 1)[1]}.{attr}"
             for module in (tables, charts, exports) for attr, value in vars(module).items()
             if _MAP_NAME.search(attr) and isinstance(value, dict)
             and (module is tables or value is not getattr(tables, attr, None))}  # not imported
    assert found == set(VIEW_MAPS), (
        f"label/colour maps in src/gcmdash/views/ not held to a vocabulary: "
        f"{sorted(found - set(VIEW_MAPS))}; gone: {sorted(set(VIEW_MAPS) - found)}; "
        f"build them from gcmdash.vocab and name them in VIEW_MAPS in tests/test_vocab.py")


@pytest.mark.parametrize("where", sorted(VIEW_MAPS))
def test_each_view_map_covers_exactly_its_vocabulary(where):
    module, attr = where.split(".")
    mapping = getattr({"tables": tables, "charts": charts}[module], attr)
    name = VIEW_MAPS[where]
    expected = _values(name)
    assert set(mapping) == expected, (
        f"src/gcmdash/views/{module}.py {attr} must cover vocab.{name}: missing "
        f"{sorted(expected - set(mapping), key=str)}, extra {sorted(set(mapping) - expected, key=str)}")
    if attr.endswith("_LABELS"):
        assert tuple(mapping) == vocab.values(vocab.in_order(getattr(vocab, name))), (
            f"src/gcmdash/views/{module}.py {attr}: not in vocab.{name}'s display order")


def test_queries_list_the_vocabulary_in_display_order():
    def ordered(name):
        return vocab.values(vocab.in_order(getattr(vocab, name)))
    assert queries.SESSION_NUMBERS == vocab.values(vocab.SESSIONS)
    assert queries.ROLES == ordered("ROLES")
    assert queries.ORGANISATION_TYPES == ordered("ORGANISATION_TYPES")
    assert queries.COVERAGE_ITEMS == ordered("COVERAGE_ITEMS")
    assert queries.CORE_MEASURES == vocab.CORE_MEASURES
    assert set(queries.CORE_MEASURES) <= _values("MEASURES")
    assert sorted(queries.AGENDA_DOCUMENT_TYPES) == sorted(_values("DOCUMENT_KINDS")), (
        "src/gcmdash/views/queries.py AGENDA_DOCUMENT_TYPES must rank every document kind")


def test_the_build_ranks_and_covers_every_document_kind():
    kinds = vocab.values(vocab.in_order(vocab.DOCUMENT_KINDS))
    assert tuple(provenance.SOURCE_PRECEDENCE) == kinds
    assert sorted(provenance.SOURCE_PRECEDENCE.values()) == list(range(len(kinds)))
    covered = tuple(item for item, _ in resolve.COVERAGE_ITEMS)
    assert set(covered) == _values("COVERAGE_ITEMS"), (
        f"src/gcmdash/derive/resolve.py COVERAGE_ITEMS needs the SQL of "
        f"{sorted(_values('COVERAGE_ITEMS') - set(covered))} (vocab.COVERAGE_ITEMS)")
    assert set(kinds) - {"other"} <= set(covered)


def test_every_document_kind_has_a_parser_and_classification_evidence():
    kinds = _values("DOCUMENT_KINDS") - {"other"}  # 'other' is what no evidence points to
    assert set(_PARSERS) == kinds, (
        f"src/gcmdash/parse/__init__.py _PARSERS must have a parser for each document kind of "
        f"vocab.DOCUMENT_KINDS but 'other': missing {sorted(kinds - set(_PARSERS))}, "
        f"unknown {sorted(set(_PARSERS) - kinds)}")
    evidence = {kind for kind, *_ in classify._EVIDENCE}
    assert evidence == kinds, (
        f"src/gcmdash/parse/classify.py _EVIDENCE must have evidence for each document kind of "
        f"vocab.DOCUMENT_KINDS but 'other': missing {sorted(kinds - evidence)}, "
        f"unknown {sorted(evidence - kinds)}")


def test_rule_tables_name_only_vocabulary_values():
    kinds = {kind for kind, _, _ in organisations.RULES}
    assert kinds <= _values("ORGANISATION_TYPES"), (
        f"src/gcmdash/derive/organisations.py RULES name {sorted(kinds - _values('ORGANISATION_TYPES'))}, "
        f"not in vocab.ORGANISATION_TYPES")
    assert organisations.classify_organisation(None)[0] in _values("ORGANISATION_TYPES")
    rules = {rule for rule, _ in procedural_note._RULES} | {"experts_per_panel"}
    assert rules <= _values("FORMAT_RULES"), (
        f"src/gcmdash/parse/procedural_note.py _RULES name "
        f"{sorted(rules - _values('FORMAT_RULES'))}, not in vocab.FORMAT_RULES")
    assert set(summary._QUALIFIERS.values()) <= _values("QUALIFIERS")


def test_every_curated_measure_has_a_label():
    with (ROOT / "data" / "reference" / "participation.csv").open(encoding="utf-8") as handle:
        measures = {row["measure"] for row in csv.DictReader(handle)}
    assert measures <= _values("MEASURES"), (
        f"data/reference/participation.csv names {sorted(measures - _values('MEASURES'))}: add "
        f"them with a label to vocab.MEASURES")


def test_the_parsers_and_the_extraction_produce_only_vocabulary_values():
    agenda = importlib.import_module("gcmdash.parse.agenda")
    starters = {kind for kind, _ in agenda._STARTERS}
    assert starters == _values("ITEM_TYPES"), (
        f"src/gcmdash/parse/agenda.py _STARTERS must open each item type of vocab.ITEM_TYPES: "
        f"missing {sorted(_values('ITEM_TYPES') - starters)}, "
        f"unknown {sorted(starters - _values('ITEM_TYPES'))}")
    formats = importlib.import_module("gcmdash.extract.formats")
    statuses = {formats.FAILED, formats.ENCRYPTED, formats.NO_TEXT}
    assert statuses <= _values("DOCUMENT_STATUSES"), (
        f"src/gcmdash/extract/formats.py statuses {sorted(statuses - _values('DOCUMENT_STATUSES'))} "
        f"are not in vocab.DOCUMENT_STATUSES")
    people = importlib.import_module("gcmdash.parse.people")
    genders = {people.gender_as_listed(h) for h in (None, "Ms.", "Mr.", "Dr.")}
    assert genders == _values("GENDERS")


def test_thin_record_items_are_coverage_items():
    assert set(vocab.THIN_RECORD_ITEMS) <= set(vocab.values(vocab.COVERAGE_ITEMS))
