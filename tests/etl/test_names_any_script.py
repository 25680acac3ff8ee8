"""Names of people in any script: each one person, none dropped, none merged (issue 20, item 3)."""
from __future__ import annotations

import duckdb
import pytest

from gcmdash.extract.text import clean_text
from gcmdash.parse import parse_document
from gcmdash.parse.people import name_key, parse_person, person_id
from gcmdash.runner.build import build

POW3 = "001_bab7ddbf46844fd5.txt"

# The seed programme's panelists, renamed in other scripts. Two near pairs that only a letter
# tells apart: Андрей / Андреи (й is a letter of its own, not и with an accent) and the
# Chinese pair.
RENAMED = {
    "Gregory Maniatis": "Андрей Петров",
    "Margareta Wahlström": "Андреи Петров",
    "Guilhem Ravier": "Γιώργος Παπαδόπουλος",
    "Raquel Ayora": "Ελένη Γεωργίου",
    "Marla Conrad": "عمر عبد الرحمن",
    "Iván Martín": "王毅",
    "Genevieve Gencianos": "王义",
}


@pytest.fixture(scope="module")
def renamed_programme(seed_texts) -> str:
    text = seed_texts[POW3]
    for latin, other in RENAMED.items():
        assert text.count(latin) == 1
        text = text.replace(latin, other)
    return text


def test_every_script_keeps_its_letters_in_the_key():
    keys = {name: name_key(name) for name in RENAMED.values()}
    assert keys == {
        "Андрей Петров": "андрей петров",
        "Андреи Петров": "андреи петров",
        "Γιώργος Παπαδόπουλος": "γιώργοσ παπαδόπουλοσ",  # case folding: final sigma is sigma
        "Ελένη Γεωργίου": "ελένη γεωργίου",
        "عمر عبد الرحمن": "عمر عبد الرحمن",
        "王毅": "王毅",
        "王义": "王义",
    }
    assert person_id("Андрей Петров") == "андрей-петров"
    # the same person written in capitals, or with compatibility forms, is the same key
    assert name_key("ΓΙΏΡΓΟΣ ΠΑΠΑΔΌΠΟΥΛΟΣ") == keys["Γιώργος Παπαδόπουλος"]
    assert name_key("АНДРЕЙ ПЕТРОВ") == keys["Андрей Петров"]
    assert name_key("\ufecb\ufee4\ufeae Salem") == "عمر salem"  # Arabic presentation forms
    assert name_key("Ｏｍａｒ Ｓａｌｅｍ") == "omar salem"


def test_latin_keys_fold_as_before():
    assert name_key("Iván Martín") == name_key("Ivan Martin") == "ivan martin"
    assert name_key("Margareta Wahlström") == "margareta wahlstrom"
    assert name_key("Juan José Gómez Camacho") == "juan jose gomez camacho"
    assert name_key("H.E. Jürg Lauber") == "h e jurg lauber"
    assert name_key("Jean-Pierre O'Brien") == "jean pierre o brien"
    assert name_key("François Gemenne") == name_key("FRANCOIS GEMENNE")
    assert name_key("İsmail Çelik") == "ismail celik"


def test_names_in_other_scripts_are_people():
    for name in RENAMED.values():
        person = parse_person(f"Ms. {name}, Director, Ministry")
        assert person is not None and person.full_name == name, name
    assert parse_person("王毅, Minister").full_name == "王毅"
    # still no person: one Latin word, a lower-case word, a single letter of a spaceless script
    assert parse_person("Ms. Opening, remarks") is None
    assert parse_person("the panel will explore, Geneva") is None
    assert parse_person("Ms. 王, Minister") is None


def test_programme_panelists_in_four_scripts_are_each_one_person(renamed_programme,
                                                                  seed_lexicon):
    doc = parse_document(clean_text(renamed_programme), seed_lexicon)
    panelists = [(r.full_name, r.panel_number) for r in doc.roles if r.role == "panelist"]
    assert panelists == [
        ("Андрей Петров", 1), ("Андреи Петров", 1),
        ("Γιώργος Παπαδόπουλος", 2), ("Ελένη Γεωργίου", 2), ("عمر عبد الرحمن", 2),
        ("王毅", 3), ("王义", 3), ("Nancy Fonseca Caldera", 3),
    ]
    assert len({person_id(name) for name, _ in panelists}) == len(panelists)


def test_built_database_has_each_of_them_once(renamed_programme, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / POW3).write_text(renamed_programme, encoding="utf-8")
    db = tmp_path / "gcmdash.duckdb"
    build(raw, db)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT p.full_name, p.name_key, count(*) FROM people p JOIN roles r USING (person_id) "
            "WHERE r.document_id IS NOT NULL AND r.role = 'panelist' "
            "GROUP BY ALL ORDER BY min(r.line_start)").fetchall()
        empty = con.execute("SELECT count(*) FROM people WHERE name_key = '' OR person_id = ''"
                            ).fetchone()[0]
    assert [(name, count) for name, _, count in rows] == [
        ("Андрей Петров", 1), ("Андреи Петров", 1),
        ("Γιώργος Παπαδόπουλος", 1), ("Ελένη Γεωργίου", 1), ("عمر عبد الرحمن", 1),
        ("王毅", 1), ("王义", 1), ("Nancy Fonseca Caldera", 1),
    ]
    assert {name: key for name, key, _ in rows}["Γιώργος Παπαδόπουλος"] == "γιώργοσ παπαδόπουλοσ"
    assert empty == 0
