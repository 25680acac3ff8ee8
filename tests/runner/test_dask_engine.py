"""The Dask engine (gcmdash build --engine dask) gives the tables a local build gives."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types

import duckdb
import pytest

from benchmarks.synthetic import write_corpus
from gcmdash.cli import main
from gcmdash.runner import dask_engine
from gcmdash.runner.build import build
from tests.conftest import SEED_DIR, separate_streams_runner
from tests.etl.hostile import encrypted_pdf
from tests.etl.test_incremental import everything


@pytest.fixture(scope="module")
def engine():
    """One two-worker LocalCluster for the module; a task is given up after losing its worker
    twice (the default is four times)."""
    dask = pytest.importorskip("dask")  # the test extra installs it (pyproject.toml)

    # Dask spawns its workers, and a spawned process first runs the parent's __main__ from its
    # path. An AppTest earlier in the same pytest process leaves an app page there (Streamlit
    # 1.67 does not put the old one back), which stops every worker before it starts; the CLI's
    # own __main__ is import-safe. So the cluster's workers see an empty __main__.
    real_main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            with dask_engine.DaskEngine(workers=2) as opened:
                yield opened
    finally:
        sys.modules["__main__"] = real_main


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds, 60 synthetic documents (second summaries of the seeds' sessions among them)
    and files that fail each way a document can: unparseable, unreadable, encrypted, empty,
    unsupported, a duplicate."""
    raw = tmp_path_factory.mktemp("corpus") / "raw"
    shutil.copytree(SEED_DIR, raw)
    write_corpus(raw, 60)
    (raw / "zz_notes.txt").write_text("Minutes of an unrelated staff meeting.\n")
    (raw / "zz_scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (raw / "zz_sheet.xlsx").write_bytes(b"PK\x03\x04")
    (raw / "zz_empty.md").write_bytes(b"")
    (raw / "zz_locked.pdf").write_bytes(encrypted_pdf())
    shutil.copy(raw / "003_caee5c70cc5473e9.txt", raw / "zz_copy.txt")
    return raw


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("local") / "local.duckdb"
    return build(corpus, db, workers=2), everything(db)


@pytest.mark.slow
def test_every_table_equals_the_local_build(engine, corpus, local_build, tmp_path):
    local_report, local_tables = local_build
    gone = subprocess.Popen(["true"])
    gone.wait()
    (tmp_path / f".dask.duckdb.tmp-{gone.pid}.batches" / "roles").mkdir(parents=True)  # died
    report = build(corpus, tmp_path / "dask.duckdb", workers=2, engine=engine)
    assert everything(tmp_path / "dask.duckdb") == local_tables
    assert report.documents == local_report.documents  # the same failures, the same reasons
    statuses = {status for _, status, _ in report.documents}
    assert {"loaded", "failed", "encrypted", "no_text", "duplicate"} <= statuses
    assert len(local_tables["recommendations"]) > 73  # the synthetic summaries' too
    assert any(row[1] == "second_summary" for row in local_tables["quality_flags"])
    assert not list(tmp_path.glob(".*batches*"))  # the Parquet folders: this build's, the dead's


@pytest.mark.slow
def test_rows_refused_in_bulk_load_one_by_one_as_locally(engine, corpus, local_build, tmp_path,
                                                         monkeypatch):
    def refuse(con, files):
        assert files["recommendations"]  # rows written, then refused
        raise duckdb.ConstraintException("Constraint Error: refused on purpose")

    monkeypatch.setattr(dask_engine.database, "insert_parquet", refuse)
    build(corpus, tmp_path / "dask.duckdb", workers=2, engine=engine)
    assert everything(tmp_path / "dask.duckdb") == local_build[1]


@pytest.mark.slow
def test_a_task_that_keeps_killing_its_worker_is_given_up_alone(engine, tmp_path):
    from tests.runner.dask_tasks import die_on_poison

    def submit(batch):
        return engine.client.submit(die_on_poison, batch.names, str(tmp_path), key=batch.key,
                                    pure=False)

    # one at a time: a worker lost is then the running batch's doing
    once = list(engine._run([dask_engine._Batch("t-1", ["once"])], submit))
    assert [(b.names, outcome) for b, outcome in once] == [(["once"], ["once"])]
    assert (tmp_path / "once.died").exists()  # it lost its worker once: Dask ran it again
    batches = [dask_engine._Batch("t-0", ["a", "poison", "b"])]
    outcomes = {tuple(batch.names): outcome for batch, outcome in engine._run(batches, submit)}
    assert outcomes == {("a",): ["a"], ("b",): ["b"], ("poison",): dask_engine.KILLED_WORKER}


@pytest.mark.slow
def test_cli_with_a_scheduler_address(engine, tmp_path):
    address = engine.client.scheduler.address
    db = tmp_path / "cli.duckdb"
    result = separate_streams_runner().invoke(main, [
        "build", "--raw-dir", str(SEED_DIR), "--db", str(db), "--engine", "dask",
        "--scheduler", address])
    assert result.exit_code == 0, result.output
    local = tmp_path / "local.duckdb"
    build(SEED_DIR, local, workers=2)
    assert everything(db) == everything(local)


@pytest.mark.parametrize("arguments, message", [
    (["--engine", "dask"], "the Dask engine needs the dask extra: pip install 'gcmdash[dask]'"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
])
def test_cli_without_the_extra_says_how_to_install_it(tmp_path, arguments, message):
    """In a fresh interpreter where dask cannot be imported: one line, exit status 2."""
    probe = ("import sys\nsys.modules['dask'] = None\nsys.modules['distributed'] = None\n"
             "from gcmdash.cli import main\nmain(sys.argv[1:], prog_name='gcmdash')\n")
    completed = subprocess.run(
        [sys.executable, "-c", probe, "build", "--raw-dir", str(SEED_DIR), "--db",
         str(tmp_path / "g.duckdb"), *arguments], capture_output=True, text=True,
        env=dict(os.environ), timeout=300)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr
    if arguments[0] == "--engine":
        assert len(completed.stderr.strip().splitlines()) == 1, json.dumps(completed.stderr)
    assert not (tmp_path / "g.duckdb").exists()
