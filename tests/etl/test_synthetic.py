"""The synthetic corpus (for benchmarks) is deterministic and parses into what it was made of."""
from __future__ import annotations

from benchmarks.synthetic import generate
from gcmdash.extract.text import HyphenLexicon, clean_text
from gcmdash.parse import parse_document


def test_generator_is_deterministic():
    assert [d.text for d in generate(9, seed=5)] == [d.text for d in generate(9, seed=5)]
    assert [d.text for d in generate(9, seed=5)] != [d.text for d in generate(9, seed=6)]


def test_every_synthetic_document_parses_into_what_it_was_made_of():
    documents = generate(90)
    lexicon = HyphenLexicon.from_texts([d.text for d in documents])
    for document in documents:
        parsed = parse_document(clean_text(document.text), lexicon)
        assert (parsed.document_type, parsed.session_number, len(parsed.recommendations)) == (
            document.kind, document.session_number, document.recommendation_count), document.file_name
        assert parsed.agenda_items, document.file_name
    assert sum(d.recommendation_count for d in documents) > 1000


def test_build_benchmark_smoke_run(seed_db, tmp_path):
    """`gcmdash bench --only build` at a tiny size, as CI runs it: it completes and reports every
    stage; no timing is asserted (timings are BENCHMARKS.md's business)."""
    from click.testing import CliRunner

    from benchmarks.__main__ import bench_cli

    result = CliRunner().invoke(bench_cli, ["--only", "build", "--sizes", "6",
                                            "--db", str(seed_db)])
    assert result.exit_code == 0, result.output
    table = [line for line in result.output.splitlines() if line.startswith("| 6 |")]
    assert len(table) == 1
    header = next(line for line in result.output.splitlines() if line.startswith("| documents |"))
    row = dict(zip([c.strip() for c in header.split("|")], [c.strip() for c in table[0].split("|")]))
    # the closing item of a note: the other five documents and the topic model are copied
    assert row["loaded"] == "6" and row["rebuild reused"] == "5/6 + topics"
    # the first summary's narrative: its text units change, so the topic model is fitted again
    assert row["units changed reused"] == "5/6"
    assert float(row["full build s"]) > 0 and float(row["one-file rebuild s"]) > 0
    assert float(row["slowest query ms"]) > 0 and float(row["slowest page s"]) > 0
    assert float(row["load floor s"]) > 0 and float(row["load x floor"]) > 0
    # each worker's own peak, well under the parent's (which ru_maxrss would have reported)
    worker_peaks = [float(mb) for mb in row["worker peak MB"].split(", ")]
    assert row["workers"] == "2" and len(worker_peaks) == 2
    assert all(0 < mb < float(row["ready MB"]) for mb in worker_peaks)
    slowest = row["slowest five queries ms"].split(", ")
    assert len(slowest) == 5 and slowest[0] == f'{row["slowest query"]} {row["slowest query ms"]}'



def test_text_units_grow_with_the_corpus():
    """The summaries that load (each session's first) carry more bullets in a larger corpus."""
    def loaded_recommendations(count: int) -> int:
        return sum(d.recommendation_count for d in generate(count)[:18])

    small, large = loaded_recommendations(300), loaded_recommendations(3000)
    assert 5 * small < large < 20 * small


def test_worker_memory_is_the_workers_own():
    """A child of a process holding 200 MB reports its own few MB, not the inherited maximum."""
    import resource
    import subprocess
    import sys

    from benchmarks.bench import WorkerMemory

    held = bytearray(200 * 1024**2)
    held[::4096] = b"x" * len(held[::4096])  # touched, so resident
    with WorkerMemory(interval_s=0.01) as memory:
        subprocess.run([sys.executable, "-c", "import time; time.sleep(0.5)"], check=True)
    (peak,) = memory.peaks_mb()
    assert 0 < peak < 100
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 > 200  # what misled
