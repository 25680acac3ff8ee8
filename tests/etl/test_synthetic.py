"""The synthetic corpus (for benchmarks) is deterministic and parses into what it was made of."""
from __future__ import annotations

from etl.parse import parse_document
from etl.synthetic import generate
from etl.text import HyphenLexicon, clean_text


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
