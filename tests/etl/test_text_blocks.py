"""Lines read back into paragraphs by their shape (extract/text_blocks.py), and HTML <br> lines."""
from __future__ import annotations

from gcmdash.extract.blocks import html_blocks
from gcmdash.extract.text_blocks import unwrap_lines, wrapped_at

WRAPPED = ["Member States stressed that they retain authority over admission",
           "and stay of foreign nationals, while also widely recognizing the",
           "obligation of States to duly receive their returning nationals."]


def test_lines_a_layout_wrapped_join_and_hard_breaks_stay():
    assert unwrap_lines(WRAPPED) == [" ".join(WRAPPED)]
    # a line that ended where the next line's first word would have fitted was a hard break
    ended = [*WRAPPED[:2], "obligation of States.", "Participants mentioned that voluntary"]
    assert unwrap_lines(ended) == [" ".join(ended[:3]), ended[3]]
    title = ["Geneva, 19-20 June 2017", "Palais des Nations, Room XIX"]
    assert unwrap_lines(title) == title  # lines this short were never wrapped
    assert unwrap_lines(["pre-", "departure"]) == ["pre-", "departure"]  # too short to be wrapped
    assert not wrapped_at(WRAPPED[0], "• Provide pre-departure information", len(WRAPPED[0]))


def test_html_br_lines_are_one_paragraph_when_wrapped_and_apart_when_not():
    wrapped = "<br>\n".join(WRAPPED)
    blocks = html_blocks(f"<p>{wrapped}</p><p>Geneva, 19-20 June 2017<br>Palais des Nations</p>"
                         f"<ul><li>{wrapped}</li></ul>")
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", " ".join(WRAPPED)), ("paragraph", "Geneva, 19-20 June 2017"),
        ("paragraph", "Palais des Nations"), ("list_item", " ".join(WRAPPED))]
