"""Agendas ('ANNEX: Agenda', 'Organization of work', 'Programme of work') and the people they name.

One reader for every layout the seeds show:
- a markdown tab table whose cells carry HTML fragments ('10.00-10.15<TAB><b>Opening segment</b> <ul>…'),
- a plain tab table with the title and description run together ('PANEL 1: Human rights … This panel …'),
- PDF text where each cell wraps over several lines and lost bullet glyphs leave a leading space,
- PDF text whose two columns were read one after the other, so a day's times come in a run
  ('13.0015.00', '15.0017.50') before their concepts ('Lunch', 'PANEL 2: …').
The agenda is read as a stream of day headings, times and concept lines; each day's times are then
paired in order with its concept blocks, which works whether or not the columns were interleaved.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from gcmdash.extract.text import (
    BULLET_GLYPHS,
    join_wrapped,
    split_html_fragments,
    squash_spaces,
    strip_bullets,
)
from gcmdash.extract.text_blocks import heading_goes_on, roman_heading, split_at_glyphs
from gcmdash.parse.common import NumberedLine, match_time_range
from gcmdash.parse.people import looks_like_name, parse_people, parse_person
from gcmdash.records import AgendaItem, PanelTitle, ParseFinding, RoleMention

AGENDA_HEADING_RE = re.compile(
    r"^\W*(ANNEX\b.*(agenda|programme|program|work).*|Organi[sz]ation of work|Programme of work"
    r"|Agenda)\W*$",
    re.IGNORECASE,
)
_DAY_RE = re.compile(r"^\W*Day\s+(\d{1,2})\b", re.IGNORECASE)
# A day line of a web page: 'Monday, 8 May 2017' (alone on its line).
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_WEEKDAY_RE = re.compile(
    r"^\W*(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?P<day>\d{1,2})\s+"
    rf"(?P<month>{'|'.join(_MONTH_NAMES)})(?:\s+(?P<year>\d{{4}}))?\W*$", re.IGNORECASE)
_COLUMN_HEADER_RE = re.compile(r"^\s*(Time|Concept|Time\s+Concept|Time\s*/?\s*Session)\s*$",
                               re.IGNORECASE)
_PANEL_RE = re.compile(r"^PANEL\s+(\d{1,2})\s*[:.]\s*(.*)$", re.IGNORECASE)
_STARTERS = (
    ("summary_panel", re.compile(r"^SUMMARY PANEL\b", re.IGNORECASE)),
    ("panel", _PANEL_RE),
    ("opening", re.compile(r"^Opening (?:segment|of the meeting)\b", re.IGNORECASE)),
    ("welcome", re.compile(r"^Welcom\w* remarks\b", re.IGNORECASE)),
    ("lunch", re.compile(r"^Lunch\b", re.IGNORECASE)),
    ("conclusions", re.compile(r"^(Co-?facilitators draw|Conclusions\b)", re.IGNORECASE)),
    ("closing", re.compile(r"^Clos(?:ing remarks|ing of the meeting)\b", re.IGNORECASE)),
)
# Programme phrases that open a sub-item inside a cell, never a continuation of a person entry.
# Case matters: 'thematic expert for this …' in lower case continues a wrapped entry.
_SUB_ITEM_RE = re.compile(
    r"^(Welcom\w* remarks|Remarks by|Moderators present|Interactive exchange|Thematic expert\b"
    r"|Presentation of .{0,60}\bby\b|Opening remarks by\b|Co-chairs?\s*:)"
)
_HONORIFIC_START_RE = re.compile(r"^(H\.\s?E\.|Mrs?\.?\s|Ms\.?|Dr\.?\s|Prof\.?\s|Professor\s|Ambassador\s)")
_MODERATED_RE = re.compile(r"^(?:Moderated by\s+|Moderators?\s*:\s*)", re.IGNORECASE)
# 'Moderated by' / 'Moderator:' after an entry on the same line (a cell whose lines were run
# together, or a page that glued the moderator onto the last panelist's affiliation)
_MODERATED_INSIDE_RE = re.compile(r"(?<=[\w).])\s+(?=Moderated by\s|Moderators?\s*:)")
# 'Remarks by Ms. A, Secretary-General of ...', 'Thematic expert: Dr. B, ...': a person after
# the programme phrase.
_PHRASE_PERSON_RE = re.compile(
    r"^(?P<phrase>Remarks by|Presentation of .{0,60}?\bby|Thematic expert\s*:)\s+(?=\S)")
_COFACILITATED = ("opening", "welcome", "closing", "conclusions")
_CO_CHAIRS_RE = re.compile(r"^Co-chairs?\s*:\s*", re.IGNORECASE)
_DESCRIPTION_START_RE = re.compile(r"\s(?=(?:This|The) panel\b|Panel(?:l)?ists will\b)")
_BARE_LABEL_RE = re.compile(r"(PANEL\s+\d{1,2}|SUMMARY PANEL)\s*:?", re.IGNORECASE)
_LUNCH_RE = re.compile(r"^Lunch\b[\s:–-]*(\S.*)$", re.IGNORECASE)
_SG_RE = re.compile(r"Secretary-General of the intergovernmental conference", re.IGNORECASE)
_EXPERT_RE = re.compile(r",?\s*(the\s+)?thematic expert\b", re.IGNORECASE)


def find_agenda_start(lines: list[NumberedLine]) -> int | None:
    """Index of the first line of the agenda: its heading, else its first time or day heading,
    or the table row just before one."""
    for index, line in enumerate(lines):
        if AGENDA_HEADING_RE.match(line.text.strip()) and _capitalised(line.text):
            return index + 1
    for index, line in enumerate(lines):
        if _times_a_row(line.text):
            return index
        # a tab starts a table row only when a time or a day follows: one tab in a paragraph
        # (a summary's intro) is no agenda
        if "\t" in line.text and any(_times_a_row(l.text) for l in lines[index + 1 : index + 7]):
            return index
    return None


def _times_a_row(text: str) -> bool:
    return bool(match_time_range(text) or _DAY_RE.match(text))


def _capitalised(text: str) -> bool:
    """A heading starts with a capital; a wrapped sentence's last word ('agenda.') does not."""
    letter = next((ch for ch in text if ch.isalpha()), "")
    return letter.isupper()


def _is_page_furniture_start(text: str) -> bool:
    return text.strip().lower().startswith("for further information")


def _drop_page_furniture(lines: list[NumberedLine]) -> list[NumberedLine]:
    """Drop page footers PDF extraction left inside the table ('For further information, see:'
    followed by links), and stray Roman-numeral heading numbers."""
    kept: list[NumberedLine] = []
    index = 0
    while index < len(lines):
        text = lines[index].text
        if _is_page_furniture_start(text):
            window = lines[index : index + 16]
            last_url = max((i for i, l in enumerate(window) if "http" in l.text), default=0)
            index += last_url + 1
            continue
        stripped = text.strip()
        if re.fullmatch(r"\(?https?://\S+\s*\)?", stripped) or roman_heading(text):
            index += 1
            continue
        kept.append(lines[index])
        index += 1
    return kept


@dataclass
class _Block:
    kind: str
    lines: list[NumberedLine] = field(default_factory=list)


@dataclass
class _Day:
    number: int | None
    times: list[tuple[dt.time, dt.time, int]] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    heading_lost: bool = False  # no 'Day N' heading: its times started again from the morning


def _starter_kind(text: str, current: _Block | None, after_time: bool) -> str | None:
    bold = split_html_fragments(text).bold if "<b>" in text else ()
    cleaned = bold[0] if bold else strip_bullets(text)
    if not cleaned[:1].isupper():
        return None  # a wrapped line ('conclusions and outcomes') continues its entry
    for kind, pattern in _STARTERS:
        if pattern.match(cleaned):
            # Inside an opening segment, 'Welcome remarks by …' is one of its sub-items.
            if kind == "welcome" and current is not None and current.kind == "opening" and not after_time:
                return None
            return kind
    return None


@dataclass(frozen=True)
class AgendaResult:
    """What an agenda parse read: its items, the people named in roles, and findings."""

    items: tuple[AgendaItem, ...]
    roles: tuple[RoleMention, ...]
    findings: tuple[ParseFinding, ...]
    panels: tuple[PanelTitle, ...] = ()  # panels of days without times


# A time range inside a line, after text: rows that a layout ran together (a Markdown soft
# break, a table flattened into one paragraph) are split there again.
_EMBEDDED_ROW_RE = re.compile(
    r"(?<=[^\s\d:.–—-])\s+(?=(?:[01]?\d|2[0-3])[:.][0-5]\d\s*(?:[-–—]|to)\s*"
    r"(?:[01]?\d|2[0-3])[:.][0-5]\d\s+[A-Z])")


def _split_run_together_rows(lines: list[NumberedLine]) -> list[NumberedLine]:
    out: list[NumberedLine] = []
    for line in lines:
        if "<" in line.text or not match_time_range(line.text):
            out.append(line)
            continue
        out += [NumberedLine(line.number, part) for part in _EMBEDDED_ROW_RE.split(line.text)]
    return out


class _AgendaStream:
    """Reads an agenda's lines into days of times and concept blocks, in document order."""

    def __init__(self) -> None:
        self.days: list[_Day] = []
        self.orphans: list[NumberedLine] = []
        self.after_time = False
        self.after_blank = False
        self.first_date: tuple[dt.date, int] | None = None  # the first day line's date and day
        self.trailing: list[NumberedLine] = []  # page furniture after the last entry

    def _day(self) -> _Day:
        if not self.days:
            self.days.append(_Day(None))
        return self.days[-1]

    def read(self, line: NumberedLine) -> None:
        text = line.text
        if not text.strip():
            self.after_blank = True
            return
        after_blank, self.after_blank = self.after_blank, False
        if self.trailing or _COLUMN_HEADER_RE.match(text):
            if self.trailing:
                self.trailing.append(line)
            return
        if after_blank and self._ends_list(text):
            self.trailing.append(line)
            return
        day = _DAY_RE.match(text)
        if day:
            self.days.append(_Day(int(day.group(1))))
            self.after_time = False
            return
        weekday = _WEEKDAY_RE.match(text)
        if weekday:
            current = self.days[-1] if self.days else None
            if current is None or current.times or current.blocks:
                self.days.append(_Day(self._day_number(weekday)))
                self.after_time = False
            return
        timed = match_time_range(text)
        if timed:
            start, end, rest = timed
            self._add_time(start, end, line.number)
            if not rest.strip():
                return
            line = NumberedLine(line.number, rest)
        self._add_concept(line)

    def _day_number(self, weekday: re.Match[str]) -> int:
        """The day a 'Monday, 8 May 2017' line opens: counted from the first such line's date
        ('Wednesday, 6 December' after 'Monday, 4 December' is day 3), else the next day."""
        date = dt.date(int(weekday["year"] or 2017), _MONTH_NAMES.index(weekday["month"].lower()) + 1,
                       int(weekday["day"]))
        known = [d.number for d in self.days if d.number is not None]
        if self.first_date is None:
            self.first_date = (date, known[-1] + 1 if known else 1)
            return self.first_date[1]
        return self.first_date[1] + (date - self.first_date[0]).days

    def _ends_list(self, text: str) -> bool:
        """A web page's footer after its last bulleted person ('Office of the Special
        Representative …' after a blank line) is no part of that person's entry."""
        current = self.days[-1].blocks[-1] if self.days and self.days[-1].blocks else None
        if current is None or current.lines[-1].text.lstrip()[:1] not in BULLET_GLYPHS:
            return False
        stripped = text.strip()
        return not (stripped[:1] in BULLET_GLYPHS or stripped[:1].islower()
                    or _HONORIFIC_START_RE.match(stripped) or _MODERATED_RE.match(stripped)
                    or _SUB_ITEM_RE.match(stripped) or match_time_range(text)
                    or _DAY_RE.match(text) or _WEEKDAY_RE.match(text)
                    or _starter_kind(text, current, False))

    def _add_time(self, start: dt.time, end: dt.time, number: int) -> None:

        current = self._day()
        previous = current.times[-1][0] if current.times else None
        if (previous is not None and previous.hour >= 12 > start.hour
                and len(current.blocks) >= len(current.times)):
            # the clock starts again: a new day whose heading the layout lost
            following = current.number + 1 if current.number is not None else None
            current = _Day(following, heading_lost=True)
            self.days.append(current)
        current.times.append((start, end, number))
        self.after_time = True

    def _add_concept(self, line: NumberedLine) -> None:
        current = self.days[-1].blocks[-1] if self.days and self.days[-1].blocks else None
        kind = _starter_kind(line.text, current, self.after_time)
        if kind:
            self._day().blocks.append(_Block(kind, [line]))
            self.after_time = False
        elif current is not None:
            current.lines.append(line)
        else:
            self.orphans.append(line)


def parse_agenda(lines: list[NumberedLine], last_day: int | None) -> AgendaResult:
    """Agenda items and named people from the agenda part of a document.

    `last_day` (the session's length in days) places rows of an agenda whose head was lost:
    what survives of a truncated agenda is its tail, so it belongs to the last day.
    """
    stream = _AgendaStream()
    for line in _split_run_together_rows(_drop_page_furniture(lines)):
        stream.read(line)
    findings = _truncation_findings(stream.days, stream.orphans, last_day)
    items: list[AgendaItem] = []
    roles: list[RoleMention] = []
    panels: list[PanelTitle] = []
    for day in stream.days:
        day_items, day_roles, day_findings = _read_day(day, last_day)
        items += day_items
        roles += day_roles
        findings += day_findings
        if not day.times and day.blocks:
            panels += _untimed_panels(day)
    findings += _repeated_panels(items, panels)
    findings += [_run_on_title(item) for item in items if _runs_on(item.title)]
    return AgendaResult(tuple(items), tuple(roles), tuple(findings), tuple(panels))


_SENTENCE_END_RE = re.compile(r"[a-z]{2}\.(\s+[A-Z]|\s*$)")
_TITLE_MOST_WORDS = 30  # the record's longest agenda title has 15


def _runs_on(title: str) -> bool:
    """A title that reads as running text: a layout that put the title and its description in
    one run of type ('… in all its dimensions To implement the … migration.') left the parser
    no line to cut at."""
    return len(title.split()) > _TITLE_MOST_WORDS or bool(_SENTENCE_END_RE.search(title))


def _run_on_title(item: AgendaItem) -> ParseFinding:
    return ParseFinding(
        "agenda_title_run_on", "warning",
        f"Day {item.day_number} at {item.start_time:%H:%M}: the title reads as running text "
        f"({len(item.title.split())} words: {item.title[:70]!r}…); it may hold the start of its "
        "description", item.line_start)


def _repeated_panels(items: list[AgendaItem], panels: list[PanelTitle]) -> list[ParseFinding]:
    """A panel number the agenda gives twice (a panel resumed after lunch, or a typing slip):
    every row stays an agenda row, and the panel is the first one (load keeps its title and
    times); a second, different title is flagged so that the choice is seen."""
    first: dict[int, tuple[str, int]] = {}
    findings = []
    named = [(i.panel_number, i.title, i.line_start) for i in items if i.item_type == "panel"]
    named += [(t.panel_number, t.title, t.line_start) for t in panels]
    for number, title, line in sorted(named, key=lambda n: n[2]):
        if not number:
            continue
        if number not in first:
            first[number] = (title or "", line)
            continue
        kept, kept_line = first[number]
        same = squash_spaces(kept).casefold() == squash_spaces(title or "").casefold()
        findings.append(ParseFinding(
            "panel_repeated", "info" if same else "warning",
            f"Panel {number} is listed again at line {line}"
            + ("" if same else f" as {(title or '')[:80]!r}")
            + f"; the panel's title and times are those of line {kept_line}"
            + ("" if same else f" ({kept[:80]!r})"), line))
    return findings


def _truncation_findings(days: list[_Day], orphans: list[NumberedLine], last_day: int | None
                         ) -> list[ParseFinding]:
    inferred = any(day.number is None for day in days)
    if not (orphans or inferred):
        return []
    first = orphans[0] if orphans else None
    surviving = sum(len(day.times) for day in days)
    lost = squash_spaces(strip_bullets(split_html_fragments(first.text).plain or first.text))[:120] if first else ""
    return [ParseFinding(
        check="agenda_truncated",
        severity="warning",
        message=(
            f"The agenda is truncated: its beginning is missing and only {surviving} timed "
            f"item(s) survive" + (f"; text without its row: '{lost}'" if lost else "")
            + (f". Surviving rows are placed on day {last_day}, the session's last day."
               if inferred and last_day else ".")
        ),
        line_start=first.number if first else None,
    )]


def _read_day(day: _Day, last_day: int | None
              ) -> tuple[list[AgendaItem], list[RoleMention], list[ParseFinding]]:
    day_number = day.number if day.number is not None else (last_day or 1)
    if not day.times and day.blocks:
        return _untimed_day(day, day_number)
    if len(day.times) != len(day.blocks):
        return [], [], [ParseFinding(
            check="agenda_unaligned",
            severity="error",
            message=(f"Day {day_number}: {len(day.times)} time ranges but {len(day.blocks)} "
                     "agenda entries; this day's agenda was not loaded"),
            line_start=day.times[0][2] if day.times else None,
        )]
    items: list[AgendaItem] = []
    roles: list[RoleMention] = []
    findings: list[ParseFinding] = []
    if day.heading_lost:
        findings.append(ParseFinding(
            "agenda_day_inferred", "info",
            f"Day {day_number} has no heading: its rows from line {day.times[0][2]} are placed on "
            "the day after the one above, since their times start again", day.times[0][2]))
    for (start, end, time_line), block in zip(day.times, day.blocks):
        if end <= start:
            findings.append(ParseFinding(
                "agenda_time_invalid", "error",
                f"Day {day_number}: the row at line {time_line} ends ({end:%H:%M}) before it "
                f"starts ({start:%H:%M}); the row was not loaded", time_line))
            continue
        item, block_roles = _read_block(block, day_number, start, end, time_line)
        items.append(item if day.number is not None and not day.heading_lost else _inferred(item))
        roles.extend(block_roles)
    return items, roles, findings


def _untimed_day(day: _Day, day_number: int
                 ) -> tuple[list[AgendaItem], list[RoleMention], list[ParseFinding]]:
    """A day of entries without times ('Day 2' / 'PANEL 3: …'): its people are read, its
    entries are no agenda rows (a row needs its times), and a warning says so."""
    roles: list[RoleMention] = []
    for block in day.blocks:
        first = block.lines[0].number
        _item, block_roles = _read_block(block, day_number, dt.time(0, 0), dt.time(0, 1), first)
        roles += block_roles
    titles = ", ".join(squash_spaces(strip_bullets(b.lines[0].text))[:60] for b in day.blocks)
    return [], roles, [ParseFinding(
        "agenda_untimed", "warning",
        f"Day {day_number}: {len(day.blocks)} agenda entries without times ({titles}); their "
        "people and panel titles were read, the entries are not agenda rows", day.blocks[0].lines[0].number)]


def _untimed_panels(day: _Day) -> list[PanelTitle]:
    """The numbered panels of a day without times ('PANEL 3: Recognition of skills ...'), with
    their titles: what a row would hold but its times."""
    panels = []
    for block in day.blocks:
        first = block.lines[0].number
        item, _roles = _read_block(block, 1, dt.time(0, 0), dt.time(0, 1), first)
        if item.item_type == "panel" and item.panel_number and item.title:
            panels.append(PanelTitle(item.panel_number, item.title, item.line_start,
                                     item.line_end))
    return panels


def _inferred(item: AgendaItem) -> AgendaItem:
    return AgendaItem(**{**item.__dict__, "day_inferred": True})


def _split_entries(lines: list[NumberedLine]) -> tuple[list[NumberedLine], list[list[NumberedLine]]]:
    """Split a cell's lines after its first into running text and entries (people, sub-items).

    An entry starts at a bullet glyph, where a lost glyph left leading white space (in a cell
    without glyphs), at an honorific, at 'Moderated by', or at a programme phrase like
    'Remarks by'; other lines continue what precedes.
    """
    head: list[NumberedLine] = []
    entries: list[list[NumberedLine]] = []
    lines = [NumberedLine(line.number, part) for line in lines
             for part in _MODERATED_INSIDE_RE.split(line.text)]
    # where the glyphs survived, leading white space is a hanging indent (an entry's wrapped
    # line), not the trace of a lost glyph
    marked = any(line.text.lstrip()[:1] in BULLET_GLYPHS for line in lines)
    for line in lines:
        raw = line.text
        text = strip_bullets(raw)
        if not text:
            continue
        starts_entry = (
            (raw[:1] in (" ", "\t") and not marked) or raw.lstrip()[:1] in BULLET_GLYPHS
            or _HONORIFIC_START_RE.match(text) or _MODERATED_RE.match(text)
            or _SUB_ITEM_RE.match(text)
        )
        if starts_entry:
            entries.append([line])
        elif entries:
            entries[-1].append(line)
        else:
            head.append(line)
    untitled = _untitled_first_person(head, entries)
    if untitled is not None:
        entries.insert(0, head[untitled:])
        head = head[:untitled]
    return head, entries


_NAME_AND_AFFILIATION_RE = re.compile(r"^(?P<name>[^,]{3,60}),\s+\S")


def _untitled_first_person(head: list[NumberedLine], entries: list[list[NumberedLine]]
                           ) -> int | None:
    """Where the people of a cell begin with a person named without a title, whose entry
    lost the glyph or indent that set it apart ('… potential solutions.' / 'Gregory Maniatis,
    Columbia University, …' / 'Ms. Margareta Wahlström, …'): the index in `head` of its first
    line, or None. Only just before a titled person, only after a sentence's end, only a name
    followed by a comma, and only text that does not end as a sentence does (an affiliation
    has no full stop): 'Member States, …' in a description ends with one."""
    if not entries or not _HONORIFIC_START_RE.match(strip_bullets(entries[0][0].text)):
        return None
    for k in range(len(head) - 1, 0, -1):
        if not head[k - 1].text.rstrip().endswith("."):
            continue
        match = _NAME_AND_AFFILIATION_RE.match(head[k].text.strip())
        rest = join_wrapped([l.text.strip() for l in head[k:]])
        if match and looks_like_name(match["name"]) and not rest.endswith("."):
            return k
        return None
    return None


def _title_and_parts(block: _Block) -> tuple[str, list[str], list[NumberedLine],
                                             list[list[NumberedLine]]]:
    """A block's raw title, the description read beside it, and its other lines split into
    running text and entries."""
    first = block.lines[0]
    fragments = split_html_fragments(first.text)
    head, entries = _split_entries(block.lines[1:])
    if fragments.bold:
        # Word-to-markdown cell: the bold run is the title, the rest and the list items describe it.
        return fragments.bold[0], [p for p in (fragments.plain, *fragments.items) if p], head, entries
    cells = _cells(first.text)
    pieces = split_at_glyphs(cells[0]) if cells else [block.kind]
    title, parts = pieces[0], pieces[1:]
    for cell in cells[1:]:
        parts += split_at_glyphs(cell)
    if _BARE_LABEL_RE.fullmatch(title) and head:  # 'PANEL 1:' alone, its title wrapped below
        title = f"{title} {head.pop(0).text.strip()}"
    # A wrapped title continues on lines that start in lower case ('its dimensions').
    wrapped = [title]
    while head and heading_goes_on(join_wrapped(wrapped), head[0].text):
        wrapped.append(head.pop(0).text)
    return join_wrapped(wrapped), parts, head, entries


def _labelled_title(title: str, kind: str, parts: list[str]) -> tuple[str, int | None]:
    """The title without its label ('PANEL 1: …' -> panel 1), the description it ran into
    moved to `parts`."""
    panel_number = None
    panel = _PANEL_RE.match(title)
    if panel:
        panel_number = int(panel.group(1))
        title = panel.group(2)
    elif kind == "summary_panel":
        title = re.sub(r"^SUMMARY PANEL\s*:?\s*", "", title, flags=re.IGNORECASE)
    lunch = _LUNCH_RE.match(title) if kind == "lunch" else None
    if lunch:  # 'Lunch Space for Side-Events': the tab between the cells collapsed to a space
        title = "Lunch"
        parts.insert(0, lunch.group(1))
    if ":" in title and not parts and kind == "opening":
        title, _, rest = title.partition(":")
        parts.insert(0, squash_spaces(rest))
    # Plain cells run the title into the description: '… all migrants This panel would …'.
    split = _DESCRIPTION_START_RE.search(title)
    if split:
        parts.insert(0, title[split.end():].strip())
        title = title[: split.start()].strip()
    return title, panel_number


def _read_block(block: _Block, day_number: int, start: dt.time, end: dt.time, time_line: int
                ) -> tuple[AgendaItem, list[RoleMention]]:
    first = block.lines[0]
    title, description_parts, head, entries = _title_and_parts(block)
    title, panel_number = _labelled_title(title, block.kind, description_parts)
    if head:
        description_parts.append(join_wrapped([l.text for l in head]))

    roles: list[RoleMention] = []
    # An opening or closing names co-facilitators when it says so; a minister or the President
    # of the General Assembly opening a meeting is no co-facilitator.
    kind = block.kind
    if kind in _COFACILITATED and not any("co-facilitat" in l.text.lower() for l in block.lines):
        kind = "unattributed"
    for entry in entries:
        text = join_wrapped([strip_bullets(l.text) for l in entry])
        found = _roles_from_entry(text, kind, panel_number, entry[0].number, entry[-1].number)
        if not found or found[0].role == "thematic_expert":
            description_parts.append(text)
        roles += found
    line_end = max(l.number for l in block.lines)
    item = AgendaItem(
        day_number=day_number,
        start_time=start,
        end_time=end,
        item_type=block.kind,
        panel_number=panel_number,
        title=squash_spaces(title).rstrip(":").strip() or block.kind.replace("_", " ").capitalize(),
        description="; ".join(p for p in description_parts if p) or None,
        line_start=min(time_line, first.number),
        line_end=line_end,
    )
    return item, roles


def _cells(text: str) -> list[str]:
    """Cells of a table row: split at tabs, at HTML tags (text only, never rendered) and at the
    wide gaps PDF extraction leaves between columns ('Lunch  Space for Side Events')."""
    parts = [squash_spaces(p) for p in re.split(r"<[^>]{0,300}>|\t| {2,}", text)]
    cells: list[str] = []
    for part in filter(None, parts):
        if cells and cells[-1].endswith(":"):  # 'PANEL 3:  International …': a label, not a cell
            cells[-1] = f"{cells[-1]} {part}"
        else:
            cells.append(part)
    return cells


def _roles_from_entry(text: str, kind: str, panel_number: int | None, line_start: int,
                      line_end: int) -> list[RoleMention]:
    """The people of one entry: several for 'Moderators: A and B', else at most one."""
    moderated = _MODERATED_RE.match(text)
    if moderated:
        return [RoleMention(p.full_name, p.honorific, p.affiliation, "moderator", panel_number,
                            line_start, line_end) for p in parse_people(text[moderated.end():])]
    co_chairs = _CO_CHAIRS_RE.match(text)
    if co_chairs:
        return [RoleMention(p.full_name, p.honorific, p.affiliation, "co_facilitator", None,
                            line_start, line_end) for p in parse_people(text[co_chairs.end():])]
    phrase = _PHRASE_PERSON_RE.match(text)
    if phrase:
        person = parse_person(text[phrase.end():], require_honorific=True)
        expert = phrase["phrase"].lower().startswith("thematic")
        if person is None or not (expert or _SG_RE.search(person.affiliation or "")):
            return []
        return [RoleMention(person.full_name, person.honorific, person.affiliation,
                            "thematic_expert" if expert else "secretary_general", None,
                            line_start, line_end)]
    role = _role_from_entry(text, kind, panel_number, line_start, line_end)
    return [role] if role else []


def _role_from_entry(text: str, kind: str, panel_number: int | None, line_start: int,
                     line_end: int) -> RoleMention | None:
    if _SUB_ITEM_RE.match(text):
        return None
    person = parse_person(text)
    if person is None:
        return None
    affiliation = person.affiliation
    expert = _EXPERT_RE.search(affiliation or "")
    if expert:
        role = "thematic_expert"
        affiliation = (affiliation or "")[: expert.start()].strip(" ,") or None
    elif affiliation and _SG_RE.search(affiliation):
        role = "secretary_general"
    elif kind == "panel":
        role = "panelist"
    elif kind in _COFACILITATED:
        role = "co_facilitator"
    else:
        return None
    return RoleMention(
        full_name=person.full_name,
        honorific=person.honorific,
        affiliation=affiliation,
        role=role,
        panel_number=panel_number if role in ("panelist", "moderator") else None,
        line_start=line_start,
        line_end=line_end,
    )
