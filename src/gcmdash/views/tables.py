"""Display tables and labels: pure functions, query DataFrame in -> display DataFrame out.

No SQL and no Streamlit here. The pages, the notebooks and the charts share these labels, so
a number reads the same everywhere ("110", "over 120", "not reported").
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from gcmdash import vocab
from gcmdash.provenance import source_label

NOT_REPORTED = "not reported"
NOT_IN_RECORD = "not in the record"
NO_SPEAKER_LIST = "no list of speakers in the record"

MEASURE_LABELS: dict[str, str] = vocab.labels(vocab.MEASURES)

ROLE_LABELS: dict[str, str] = vocab.labels(vocab.ROLES)

GENDER_LABELS: dict[str, str] = vocab.labels(vocab.GENDERS)

SEVERITY_LABELS: dict[str, str] = vocab.labels(vocab.SEVERITIES)

_QUALIFIER_PREFIX = vocab.QUALIFIER_PREFIXES


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def measure_label(measure: str) -> str:
    """'member_states_attended' -> 'Member States attended' (unknown measures readable too)."""
    return MEASURE_LABELS.get(measure, measure.replace("_", " ").capitalize())


def role_label(role: str) -> str:
    """'panelist' -> 'Panelist' (vocab's label; an unknown role readably)."""
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


_SESSION_LABELS = vocab.labels(vocab.SESSIONS)


def session_label(session_number: int) -> str:
    """'Session 3'; the stocktaking meeting (7) is 'Stocktaking'."""
    return _SESSION_LABELS.get(int(session_number), f"Session {int(session_number)}")


def format_count(value: object, qualifier: object = "exact") -> str:
    """A count as the record states it: '110', 'over 120', 'about 50'; 'not reported' when
    missing (never 0)."""
    if _missing(value):
        return NOT_REPORTED
    prefix = "" if _missing(qualifier) else _QUALIFIER_PREFIX.get(str(qualifier), "")
    return f"{prefix}{int(value)}"


def format_dates(start: object, end: object) -> str:
    """'8–9 May 2017', '30 June – 1 July 2017', 'not in the record'."""
    if _missing(start):
        return NOT_IN_RECORD
    start = pd.Timestamp(start)
    end = start if _missing(end) else pd.Timestamp(end)
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def _text(value: object, missing: str = NOT_IN_RECORD) -> str:
    return missing if _missing(value) else str(value)


def _city(city: object, planned: object) -> str:
    """'Puerto Vallarta (announced: Guadalajara)' when the documents announced another city."""
    if _missing(planned) or planned == city:
        return _text(city)
    return f"{_text(city)} (announced: {planned})"


def sessions_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.sessions: one row per session, unknowns spelled 'not in the record'."""
    return pd.DataFrame({
        "Session": [session_label(n) for n in df["session_number"]],
        "Dates": [format_dates(s, e) for s, e in zip(df["start_date"], df["end_date"])],
        "City": [_city(city, planned) for city, planned in zip(df["city"], df["planned_city"])],
        "Member States attended": [
            format_count(v, q) for v, q in
            zip(df["member_states_attended"], df["member_states_attended_qualifier"])],
        "Documents": [int(n) for n in df["document_count"]],
        "Title": [_text(v) for v in df["title"]],
        "Venue": [_text(v) for v in df["venue"]],
        "Source": [_text(v) for v in df["source_label"]],
    })


def participation_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """From queries.participation_matrix: the chart's numbers, one row per session, one
    column per measure ('not reported' where the record has no count), and the sources."""
    rows = []
    for session_number, group in matrix.groupby("session_number", sort=True):
        row: dict[str, object] = {"Session": session_label(session_number)}
        for record in group.itertuples(index=False):
            row[measure_label(record.measure)] = format_count(record.value, record.qualifier)
        labels = [str(s) for s in group["source_label"] if not _missing(s)]
        row["Source"] = "; ".join(dict.fromkeys(labels)) or NOT_REPORTED
        rows.append(row)
    return pd.DataFrame(rows)


def participation_sources_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.participation: each count with the sentence it was read from (parsed) or
    the curator's note (curated), and its source."""
    return pd.DataFrame({
        "Session": [session_label(n) for n in df["session_number"]],
        "Measure": [measure_label(m) for m in df["measure"]],
        "Count": [format_count(v, q) for v, q in zip(df["value"], df["qualifier"])],
        "Evidence": [_text(v, "") for v in df["evidence"]],
        "Note": [_text(v, "") for v in df["note"]],
        "Source": [_text(v) for v in df["source_label"]],
    })


def panel_composition_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.panel_composition: persons per session and role, by gender as listed."""
    out = pd.DataFrame({
        "Session": [session_label(n) for n in df["session_number"]],
        "Role": [NO_SPEAKER_LIST if _missing(r) else role_label(r) for r in df["role"]],
    })
    for gender in GENDER_LABELS:
        out[GENDER_LABELS[gender]] = df[f"{gender}_count"].astype("Int64").array
    out["Persons"] = df["person_count"].astype("Int64").array
    return out


def quality_flags_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.quality_flags: what the checks found, with where to look."""
    # a line number without its document says nothing
    where = [source_label(d, line) for d, line in zip(df["document_id"], df["line_start"])]
    return pd.DataFrame({
        "Severity": [SEVERITY_LABELS.get(s, s) for s in df["severity"]],
        "Session": ["" if _missing(n) else session_label(n) for n in df["session_number"]],
        "Check": [str(c).replace("_", " ") for c in df["check_name"]],
        "Where": where,
        "Message": [str(m) for m in df["message"]],
    })


def documents_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.documents: the files the record is built from."""
    return pd.DataFrame({
        "Document": [str(d) for d in df["document_id"]],
        "Type": [_text(t, "").replace("_", " ") for t in df["document_type"]],
        "Session": ["" if _missing(n) else session_label(n) for n in df["session_number"]],
        "Status": [str(s) for s in df["status"]],
        "Error": [_text(e, "") for e in df["error"]],
        "Size (bytes)": [int(b) for b in df["size_bytes"]],
    })


ORGANISATION_LABELS: dict[str, str] = vocab.labels(vocab.ORGANISATION_TYPES)

COVERAGE_LABELS: dict[str, str] = vocab.labels(vocab.COVERAGE_ITEMS)


def organisation_label(kind: str) -> str:
    """An organisation type's display label."""
    return ORGANISATION_LABELS.get(kind, kind.replace("_", " ").capitalize())


def organisation_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.organisation_composition -> one row per session, one column per kind."""
    listed = df[df["organisation_type"].notna()]
    table = listed.pivot_table(index="session_number", columns="organisation_type",
                               values="person_count", aggfunc="sum", fill_value=0)
    table = table.reindex(index=sorted(df["session_number"].unique()), fill_value=0)
    table = table[[k for k in ORGANISATION_LABELS if k in table.columns]]
    table.columns = [organisation_label(k) for k in table.columns]
    table.insert(0, "Session", [session_label(n) for n in table.index])
    table["Persons"] = table.drop(columns="Session").sum(axis=1)
    unlisted = table["Persons"] == 0
    # counts as text, like every count on screen, so a gap can read "not in the record"
    table = table.astype({c: str for c in table.columns if c != "Session"})
    table.loc[unlisted, table.columns[1:]] = NOT_IN_RECORD  # no list of speakers, not zero people
    return table.reset_index(drop=True)


def record_coverage_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.record_coverage -> one row per session, one column per item: 'held' or
    'missing'."""
    table = df.pivot(index="session_number", columns="item", values="status")
    table = table[[i for i in COVERAGE_LABELS if i in table.columns]]
    table = table.replace(vocab.labels(vocab.COVERAGE_STATES))
    table.columns = [COVERAGE_LABELS[i] for i in table.columns]
    table.insert(0, "Session", [session_label(n) for n in table.index])
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- shared helpers

ITEM_TYPE_LABELS: dict[str, str] = vocab.labels(vocab.ITEM_TYPES)

DOCUMENT_TYPE_LABELS: dict[str, str] = vocab.labels(vocab.DOCUMENT_KINDS)

RULE_LABELS: dict[str, str] = vocab.labels(vocab.FORMAT_RULES)

UNIT_TYPE_LABELS: dict[str, str] = vocab.labels(vocab.UNIT_TYPES)

COVERAGE_STATUS_LABELS: dict[str, str] = vocab.labels(vocab.OBJECTIVE_COVERAGE_STATES)
CELL_STATE_LABELS: dict[str, str] = vocab.labels(vocab.OBJECTIVE_CELL_STATES)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:])")


def plain(text: object) -> str:
    """Text from the record made safe for st.markdown / st.caption: every Markdown (and HTML)
    character escaped, so it shows literally, never as markup or a link (a word a renderer
    would link by itself goes in a code span, see `literal_words`)."""
    return literal_words("" if _missing(text) else str(text),
                         lambda part: _MARKDOWN_SPECIAL.sub(r"\\\1", part))


# A word GitHub-flavoured Markdown links by itself: a URL, 'www.', an e-mail address. Escaping
# its characters is not enough: Streamlit's Markdown (remark-gfm) finds such words in the text
# after reading the escapes. In a code span the word is text, shown as it was written.
_LINKABLE_RE = re.compile(r"://|www\.|@|mailto:|xmpp:", re.IGNORECASE)


def literal_words(text: str, escape: Callable[[str], str]) -> str:
    """Markdown that shows `text` as written: each word a renderer would turn into a link in a
    code span, the rest through `escape`."""
    out: list[str] = []
    pending: list[str] = []
    for part in re.split(r"(\s+)", text):
        if part and not part[0].isspace() and _LINKABLE_RE.search(part):
            out += (escape("".join(pending)), code_span(part))
            pending = []
        else:
            pending.append(part)
    out.append(escape("".join(pending)))
    return "".join(out)


def code_span(text: str) -> str:
    """`text` as a Markdown code span, whatever backticks it holds (a longer fence, and a
    space inside it where the text starts or ends with a backtick)."""
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")


def without_emphasis(text: object) -> str:
    """Quoted document text without Markdown emphasis: '**II. Format**' -> 'II. Format'."""
    value = "" if _missing(text) else str(text)
    return _EMPHASIS.sub(lambda m: m[2] if m[2] is not None else m[3], value)


def as_list(values: object) -> list:
    """A list column's cell (list, array, None or NaN) as a list."""
    if values is None or not hasattr(values, "__iter__") or isinstance(values, str):
        return [] if values is None or _missing(values) else [values]
    return list(values)


def _join(values: object, sep: str = "; ") -> str:
    return sep.join(str(v) for v in as_list(values) if not _missing(v))


def some_sources(labels: object, count: int) -> str:
    """The first few of `count` sources, named, and how many more: "a; b; c and 12 more"."""
    named = _join(labels)
    more = int(count) - len(as_list(labels))
    return f"{named} and {more:,} more" if more > 0 else named


def item_type_label(item_type: str) -> str:
    """An agenda item type's display label."""
    return ITEM_TYPE_LABELS.get(item_type, str(item_type).replace("_", " ").capitalize())


def document_type_label(document_type: object) -> str:
    """A document kind's display label."""
    return DOCUMENT_TYPE_LABELS.get(str(document_type), str(document_type).replace("_", " "))


def area_label(session_number: int, area_letter: str, heading: str) -> str:
    """'Session 3 · g. Detention'."""
    return f"{session_label(session_number)} · {area_letter}. {heading}"


def topic_label(topic_id: int, label: str) -> str:
    """'Topic 8 · Detention, alternatives, good'."""
    return f"Topic {int(topic_id)} · {label}"


def objective_label(objective: int, title: str) -> str:
    """'Objective 13 · Alternatives to detention'."""
    return f"Objective {int(objective)} · {title}"


def format_time(value: object) -> str:
    """datetime.time or 'HH:MM:SS' -> '10:15'."""
    return "" if _missing(value) else str(value)[:5]


def time_range(start: object, end: object) -> str:
    """'10:00–11:30'; '?' for a missing end, 'not in the record' when both are missing."""
    if _missing(start) and _missing(end):
        return NOT_IN_RECORD
    return f"{format_time(start) or '?'}–{format_time(end) or '?'}"


def role_with_panel(session_number: int, role: str, panel_number: object) -> str:
    """'Session 3 · Panelist, panel 2'."""
    panel = "" if _missing(panel_number) else f", panel {int(panel_number)}"
    return f"{session_label(session_number)} · {role_label(role)}{panel}"


# --------------------------------------------------------------------------- overview

def headline_figures(headline: pd.DataFrame, sessions: pd.DataFrame) -> list[tuple[str, str, str]]:
    """queries.headline + queries.sessions -> (label, value, explanation) for st.metric."""
    h = headline.iloc[0]
    attended = sessions[sessions["member_states_attended"].notna()]
    if attended.empty:
        most = (NOT_REPORTED, "No source gives a count of Member States for any session.")
    else:
        top = attended.sort_values(["member_states_attended", "session_number"],
                                   ascending=[False, True]).iloc[0]
        most = (format_count(top["member_states_attended"],
                             top["member_states_attended_qualifier"]),
                f"Most Member States any source counts at one meeting: "
                f"{session_label(top['session_number'])}.")
    flags = (f"{int(h['flag_error_count'])} errors, {int(h['flag_warning_count'])} warnings, "
             f"{int(h['flag_info_count'])} info")
    return [
        ("Meetings in the record", f"{int(h['session_count'])} of 7",
         "Six informal thematic sessions and the stocktaking meeting."),
        ("Documents loaded", f"{int(h['documents_loaded'])}",
         f"{int(h['documents_failed'])} failed to load."),
        ("Most Member States", most[0], most[1]),
        ("Recommendations", f"{int(h['recommendation_count'])}",
         "Bullets of the co-facilitators' summaries, each with its source line."),
        ("People with a role", f"{int(h['person_count'])}",
         "Co-facilitators, moderators, panelists and experts, each counted once."),
        ("Sessions without counts", f"{int(h['sessions_without_counts'])} of 7",
         "Sessions for which no source states any participation count."),
        ("Quality flags", f"{int(h['flag_error_count']) + int(h['flag_warning_count']) + int(h['flag_info_count'])}",
         flags),
    ]


def missing_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """queries.record_coverage -> one row per item some session lacks: which sessions lack it."""
    rows = []
    missing = coverage[coverage["status"] == "missing"]
    for item in COVERAGE_LABELS:
        sessions = missing.loc[missing["item"] == item, "session_number"]
        if len(sessions):
            rows.append({"Missing from the record": COVERAGE_LABELS[item],
                         "Sessions": ", ".join(session_label(n) for n in sorted(sessions))})
    return pd.DataFrame(rows, columns=["Missing from the record", "Sessions"])


# --------------------------------------------------------------------------- people

def people_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.people -> one row per person with all their roles."""
    return pd.DataFrame({
        "Name": [str(n) for n in df["full_name"]],
        "Roles": ["; ".join(role_with_panel(r["session_number"], r["role"], r["panel_number"])
                            for r in as_list(roles)) for roles in df["roles"]],
        "Affiliation": [_join(a) for a in df["affiliations"]],
        "Gender as listed": [GENDER_LABELS.get(g, g) for g in df["gender_as_listed"]],
        "Kind of organisation": [_join([organisation_label(k) for k in as_list(kinds)])
                                 for kinds in df["organisation_types"]],
        "Source": [_join(s) for s in df["sources"]],
    }, columns=["Name", "Roles", "Affiliation", "Gender as listed", "Kind of organisation",
                "Source"])


# --------------------------------------------------------------------------- one session

def default_session(sessions: pd.DataFrame) -> int:
    """The session to open on: the one the record holds most documents about (first on a tie)."""
    ranked = sessions.sort_values(["document_count", "session_number"], ascending=[False, True])
    return int(ranked["session_number"].iloc[0])


def session_header(sessions: pd.DataFrame, session_number: int) -> dict[str, str]:
    """queries.sessions -> the facts of one session as display strings."""
    row = sessions[sessions["session_number"] == session_number]
    if row.empty or not bool(row["in_record"].iloc[0]):
        return {"Title": NOT_IN_RECORD, "Dates": NOT_IN_RECORD, "City": NOT_IN_RECORD,
                "Venue": NOT_IN_RECORD, "Source": NOT_IN_RECORD}
    table = sessions_table(row).iloc[0]
    return {k: str(table[k]) for k in ("Title", "Dates", "City", "Venue", "Source")}


def agenda_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.agenda_items -> the agenda as a table (the agenda chart's text alternative)."""
    days = []
    for n, date, inferred in zip(df["day_number"], df["day_date"], df["day_inferred"]):
        label = f"Day {int(n)}" + ("" if _missing(date) else f" ({pd.Timestamp(date):%-d %B})")
        days.append(label + (" (day inferred)" if bool(inferred) else ""))
    return pd.DataFrame({
        "Day": days,
        "Time": [time_range(s, e) for s, e in zip(df["start_time"], df["end_time"])],
        "Item": [item_type_label(t) + ("" if _missing(p) else f" {int(p)}")
                 for t, p in zip(df["item_type"], df["panel_number"])],
        "Title": [str(t) for t in df["title"]],
        "Description": [_text(d, "") for d in df["description"]],
        "Source": [str(s) for s in df["source_label"]],
    }, columns=["Day", "Time", "Item", "Title", "Description", "Source"])


def has_inferred_days(agenda: pd.DataFrame) -> bool:
    """queries.agenda_items -> whether any row's day was inferred (a truncated agenda)."""
    return bool(agenda["day_inferred"].any())


def _person(row) -> str:
    honorific = "" if _missing(row.honorific) else f"{row.honorific} "
    affiliation = "" if _missing(row.affiliation) else f" ({row.affiliation})"
    return f"{honorific}{row.full_name}{affiliation}"


def panels_table(panels: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """queries.session_panels + queries.session_roles -> one row per panel with its moderators
    and panelists (a panel named only by its people gets a row too)."""
    numbers = sorted(set(int(n) for n in panels["panel_number"])
                     | set(int(n) for n in roles["panel_number"].dropna()))
    by_number = {int(r.panel_number): r for r in panels.itertuples(index=False)}
    rows = []
    for n in numbers:
        panel = by_number.get(n)
        on_panel = roles[roles["panel_number"] == n]
        people = {role: "; ".join(_person(r) for r in on_panel[on_panel["role"] == role]
                                  .itertuples(index=False)) or NOT_IN_RECORD
                  for role in vocab.PANEL_ROLES}
        rows.append({
            "Panel": n,
            "Title": NOT_IN_RECORD if panel is None else _text(panel.title),
            "Time": NOT_IN_RECORD if panel is None else time_range(panel.start_time,
                                                                    panel.end_time),
            "Moderator": people["moderator"],
            "Panelists": people["panelist"],
            "Source": "" if panel is None else _join(panel.sources),
        })
    return pd.DataFrame(rows, columns=["Panel", "Title", "Time", "Moderator", "Panelists",
                                       "Source"])


def session_roles_table(roles: pd.DataFrame) -> pd.DataFrame:
    """queries.session_roles -> everyone with a role in the session, one row per person, role
    and panel."""
    return pd.DataFrame({
        "Role": [role_label(r) for r in roles["role"]],
        "Panel": ["" if _missing(p) else str(int(p)) for p in roles["panel_number"]],
        "Name": [str(n) for n in roles["full_name"]],
        "Honorific": [_text(h, "") for h in roles["honorific"]],
        "Affiliation": [_text(a, "") for a in roles["affiliation"]],
        "Gender as listed": [GENDER_LABELS.get(g, g) for g in roles["gender_as_listed"]],
        "Kind of organisation": [organisation_label(k) for k in roles["organisation_type"]],
        "Source": [_join(s) for s in roles["sources"]],
    }, columns=["Role", "Panel", "Name", "Honorific", "Affiliation", "Gender as listed",
                "Kind of organisation", "Source"])


def format_rules_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.format_rules -> 'Each intervention from the floor: 3 minutes' with evidence."""
    values = []
    for lo, hi, unit in zip(df["min_value"], df["max_value"], df["unit"]):
        amount = f"{int(lo)}" if int(lo) == int(hi) else f"{int(lo)}–{int(hi)}"
        values.append(f"{amount} {unit}")
    return pd.DataFrame({
        "Rule": [RULE_LABELS.get(r, str(r).replace("_", " ").capitalize()) for r in df["rule"]],
        "Value": values,
        "Evidence": [str(e) for e in df["evidence"]],
        "Source": [str(s) for s in df["source_label"]],
    }, columns=["Rule", "Value", "Evidence", "Source"])


def evidence_text(classified_by: object) -> str:
    """documents.classified_by in words: the kind by its label, quoted document text without
    Markdown emphasis ("procedural_note: '**II. Format**' (line 17)" -> "Procedural note:
    'II. Format' (line 17)")."""
    text = without_emphasis(_text(classified_by, ""))
    kind, sep, rest = text.partition(": ")
    if sep and kind in DOCUMENT_TYPE_LABELS:
        return f"{DOCUMENT_TYPE_LABELS[kind].capitalize()}: {rest}"
    return text


def session_documents_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.documents (one session) -> the documents held, with their kind and status."""
    return pd.DataFrame({
        "Document": [str(d) for d in df["document_id"]],
        "Kind": [document_type_label(t) for t in df["document_type"]],
        "Status": [str(s) for s in df["status"]],
        "Read as": [evidence_text(c) for c in df["classified_by"]],
    }, columns=["Document", "Kind", "Status", "Read as"])


# --------------------------------------------------------------------------- recommendations

def _objectives_text(objectives: object) -> str:
    return "; ".join(f"{int(o['objective'])}. {o['short_title']}" for o in as_list(objectives))


def recommendations_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.recommendations -> one row per recommendation with its source line."""
    return pd.DataFrame({
        "Id": [str(i) for i in df["recommendation_id"]],
        "Recommendation": [str(t) for t in df["text"]],
        "Source": [str(s) for s in df["source_label"]],
        "Session": [session_label(n) for n in df["session_number"]],
        "Area": [f"{a}. {h}" for a, h in zip(df["area_letter"], df["area_heading"])],
        "Topic": ["" if _missing(t) else topic_label(t, lbl)
                  for t, lbl in zip(df["topic_id"], df["topic_label"])],
        "GCM objectives": [_objectives_text(o) for o in df["objectives"]],
    }, columns=["Id", "Recommendation", "Source", "Session", "Area", "Topic", "GCM objectives"])


# --------------------------------------------------------------------------- themes

def topics_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.topics -> one row per topic: label, top terms, main objective, sizes."""
    return pd.DataFrame({
        "Topic": [int(t) for t in df["topic_id"]],
        "Label": [str(lbl) for lbl in df["label"]],
        "Top terms": [_join(t, ", ") for t in df["top_terms"]],
        "Main GCM objective": ["no clear objective" if _missing(o) else f"{int(o)}. {title}"
                               for o, title in zip(df["main_objective"],
                                                   df["main_objective_title"])],
        "Text units": [int(n) for n in df["unit_count"]],
        "Recommendations": [int(n) for n in df["recommendation_count"]],
    }, columns=["Topic", "Label", "Top terms", "Main GCM objective", "Text units",
                "Recommendations"])


def topic_session_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.topic_sessions -> topics x sessions, '22% (20 of 92)' (the heat map's text
    alternative)."""
    rows = []
    for (topic_id, label), group in df.groupby(["topic_id", "label"], sort=True):
        row: dict[str, object] = {"Topic": topic_label(topic_id, label)}
        for r in group.itertuples(index=False):
            row[session_label(r.session_number)] = (
                f"{r.share:.0%} ({int(r.unit_count)} of {int(r.session_unit_count)})")
        rows.append(row)
    return pd.DataFrame(rows)


def objective_coverage_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.objective_cells (or objective_coverage) -> objectives x sessions: 'covered (5
    units, 4 recommendations)', 'gap' or 'too little text' ('no text' from the build's status
    alone): the coverage matrix's text alternative."""
    rows = []
    for (objective, title), group in df.groupby(["objective", "short_title"], sort=True):
        row: dict[str, object] = {"Objective": f"{int(objective)}. {title}"}
        for r in group.itertuples(index=False):
            state = getattr(r, "cell_state", None)
            if r.status == "covered":
                cell = (f"covered ({int(r.unit_count)} units, "
                        f"{int(r.recommendation_count)} recommendations)")
            elif state is not None:
                cell = CELL_STATE_LABELS.get(state, state)
            else:
                cell = COVERAGE_STATUS_LABELS.get(r.status, r.status)
            row[session_label(r.session_number)] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def units_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.topic_units / queries.objective_units -> the text units behind a cell."""
    out = pd.DataFrame({
        "Unit": [str(u) for u in df["unit_id"]],
        "Session": [session_label(n) for n in df["session_number"]],
        "Kind": [UNIT_TYPE_LABELS.get(t, t) for t in df["unit_type"]],
        "Text": [str(t) for t in df["text"]],
    })
    if "weight" in df.columns:
        out["Topic weight"] = [round(float(w), 3) for w in df["weight"]]
    if "score" in df.columns:
        out["Score"] = [round(float(s), 3) for s in df["score"]]
        out["Matched"] = [str(r) for r in df["reason"]]
    out["Source"] = [str(s) for s in df["source_label"]]
    return out


# Cells of the themes views, as they travel in the URL: 't8-s3' (topic 8 x session 3) and
# 'o13-s3' (objective 13 x session 3).
_CELL = re.compile(r"^(t|o)(\d+)-s(\d+)$")


def cell_key(kind: str, number: int, session_number: int) -> str:
    """The key of a heat-map cell: ('t', 8, 3) -> 't8-s3' (parse_cell reads it back)."""
    return f"{kind}{int(number)}-s{int(session_number)}"


def parse_cell(key: object) -> tuple[str, int, int] | None:
    """'t8-s3' -> ('topic', 8, 3); 'o13-s3' -> ('objective', 13, 3); anything else -> None."""
    match = _CELL.match(str(key)) if key else None
    if not match:
        return None
    return ("topic" if match[1] == "t" else "objective", int(match[2]), int(match[3]))


def cell_label(key: object) -> str:
    """'t8-s3' -> 'Topic 8 × Session 3'."""
    parsed = parse_cell(key)
    if parsed is None:
        return str(key)
    kind, number, session_number = parsed
    return f"{kind.capitalize()} {number} × {session_label(session_number)}"


def topic_cells(topic_sessions: pd.DataFrame) -> list[str]:
    """Every selectable cell of the topic x session heat map ('t8-s3')."""
    return [cell_key("t", t, n) for t, n in zip(topic_sessions["topic_id"],
                                                 topic_sessions["session_number"])]


def objective_cells(coverage: pd.DataFrame) -> list[str]:
    """Every selectable cell of the objective x session matrix ('o13-s3')."""
    return [cell_key("o", o, n) for o, n in zip(coverage["objective"],
                                                 coverage["session_number"])]


def match_count(df: pd.DataFrame) -> int:
    """Rows matching a query before its limit (the match_count column; 0 when empty)."""
    return 0 if df.empty else int(df["match_count"].iloc[0])


# --------------------------------------------------------------------------- data & method

def data_dictionary_table(df: pd.DataFrame, table_name: str | None = None) -> pd.DataFrame:
    """queries.data_dictionary -> Table, Column, Type, Description (one table's columns when
    table_name is given)."""
    if table_name is not None:
        df = df[df["table_name"] == table_name]
    return pd.DataFrame({
        "Table": [str(t) for t in df["table_name"]],
        "Column": [str(c) for c in df["column_name"]],
        "Type": [str(t) for t in df["data_type"]],
        "Description": [_text(d, "(no description)") for d in df["column_description"]],
    }, columns=["Table", "Column", "Type", "Description"])


def tables_overview(df: pd.DataFrame) -> pd.DataFrame:
    """queries.data_dictionary -> one row per table with its description."""
    first = df.drop_duplicates("table_name")
    counts = df.groupby("table_name", sort=False).size()
    return pd.DataFrame({
        "Table": [str(t) for t in first["table_name"]],
        "Columns": [int(counts[t]) for t in first["table_name"]],
        "Description": [_text(d, "(no description)") for d in first["table_description"]],
    }, columns=["Table", "Columns", "Description"])


def topic_model_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.topic_model -> Property / Value rows (parameters shown apart)."""
    labels = {
        "model_id": "Model id", "method": "Method", "n_topics": "Topics",
        "n_topics_criterion": "How the number of topics was chosen",
        "random_state": "Random state", "unit_count": "Text units fitted",
        "feature_count": "Features", "iteration_count": "Solver iterations",
        "sklearn_version": "scikit-learn", "numpy_version": "NumPy", "scipy_version": "SciPy",
        "corpus_sha256": "Corpus SHA-256", "stability_summary": "How stable the topics are",
    }
    rows = []
    for record in df.to_dict("records"):
        for column, label in labels.items():
            rows.append({"Property": label, "Value": str(record[column])})
    return pd.DataFrame(rows, columns=["Property", "Value"])


def model_selection_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.topic_model_selection -> candidate k, stability, chosen."""
    return pd.DataFrame({
        "Topics (k)": [int(k) for k in df["n_topics"]],
        "Stability (mean ARI)": [round(float(s), 4) for s in df["stability"]],
        "Chosen": ["chosen" if bool(c) else "" for c in df["chosen"]],
    }, columns=["Topics (k)", "Stability (mean ARI)", "Chosen"])


def sources_table(df: pd.DataFrame) -> pd.DataFrame:
    """queries.curated_sources -> every public page cited, what it supports."""
    return pd.DataFrame({
        "Source": [str(u) for u in df["source_url"]],
        "Sessions": [", ".join(session_label(n) for n in as_list(s))
                     for s in df["session_numbers"]],
        "Supports": [_join(t, ", ") for t in df["tables"]],
        "Rows": [int(n) for n in df["row_count"]],
    }, columns=["Source", "Sessions", "Supports", "Rows"])


# --------------------------------------------------------------------------- filter options

def agenda_source_labels(df: pd.DataFrame) -> dict[str, str]:
    """queries.agenda_documents -> document_id: 'programme of work (001_….txt)'."""
    return {str(d): f"{document_type_label(t)} ({d})"
            for d, t in zip(df["document_id"], df["document_type"])}


def area_options(df: pd.DataFrame) -> dict[str, str]:
    """queries.discussion_areas -> area_key: 'Session 3 · g. Detention'."""
    return {str(k): area_label(n, a, h) for k, n, a, h in
            zip(df["area_key"], df["session_number"], df["area_letter"], df["heading"])}


def topic_options(df: pd.DataFrame) -> dict[int, str]:
    """queries.topics -> topic_id: 'Topic 8 · Detention, alternatives, good'."""
    return {int(t): topic_label(t, lbl) for t, lbl in zip(df["topic_id"], df["label"])}


def objective_options(df: pd.DataFrame) -> dict[int, str]:
    """queries.gcm_objectives -> objective: 'Objective 13 · Alternatives to detention'."""
    return {int(o): objective_label(o, h) for o, h in zip(df["objective"], df["hub_label"])}


def model_id(topics: pd.DataFrame) -> str | None:
    """queries.topics -> the id of the model that drew them (None without topics)."""
    ids = sorted(set(str(m) for m in topics["model_id"]))
    return ", ".join(ids) or None


def recommendation_quotes(df: pd.DataFrame, rows: list[int]) -> list[tuple[str, str, str]]:
    """queries.recommendations and selected row positions -> (heading, text, source) to quote:
    'Session 3 · g. Detention · s3-g-02'."""
    out = []
    for i in rows:
        if 0 <= i < len(df):
            r = df.iloc[i]
            out.append((f"{area_label(r['session_number'], r['area_letter'], r['area_heading'])}"
                        f" · {r['recommendation_id']}", str(r["text"]), str(r["source_label"])))
    return out


def escape_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Every text cell through `plain`, for st.table (which renders its cells as Markdown):
    record text then shows literally."""
    return df.apply(lambda column: column.map(
        lambda v: _source_cell(v) if column.name == "Source" else plain(v)
        if isinstance(v, str) else v))


def _source_cell(value: object) -> object:
    """A Source cell: a curated row's source_url (a whole http(s) URL; a document's source reads
    'file, line N') stays a link to the public record, escaped as before; the rest is `plain`."""
    if isinstance(value, str) and re.fullmatch(r"https?://\S+", value):
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    return plain(value) if isinstance(value, str) else value
