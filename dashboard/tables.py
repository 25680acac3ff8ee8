"""Display tables and labels: pure functions, query DataFrame in -> display DataFrame out.

No SQL and no Streamlit here. The pages, the notebooks and the charts share these labels, so
a number reads the same everywhere ("110", "over 120", "not reported").
"""
from __future__ import annotations

import pandas as pd

NOT_REPORTED = "not reported"
NOT_IN_RECORD = "not in the record"
NO_SPEAKER_LIST = "no list of speakers in the record"

MEASURE_LABELS: dict[str, str] = {
    "member_states_attended": "Member States attended",
    "member_state_interventions": "Member State interventions",
    "un_agencies": "UN agencies",
    "non_governmental_stakeholders": "Non-governmental stakeholders",
    "informal_dialogue_stakeholders": "Stakeholders in the informal dialogue",
    "ngos_and_un_agencies": "NGOs and UN agencies (together)",
    "participants": "Participants",
    "delegates": "Delegates",
}

ROLE_LABELS: dict[str, str] = {
    "co_facilitator": "Co-facilitator",
    "secretary_general": "Secretary-General",
    "moderator": "Moderator",
    "panelist": "Panelist",
    "thematic_expert": "Thematic expert",
}

GENDER_LABELS: dict[str, str] = {
    "female": "Female (Ms.)",
    "male": "Male (Mr.)",
    "unknown": "Not stated (Dr., Prof., H.E. ...)",
}

SEVERITY_LABELS: dict[str, str] = {"error": "error", "warning": "warning", "info": "info"}

_QUALIFIER_PREFIX = {"exact": "", "more_than": "over ", "approximately": "about "}


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def measure_label(measure: str) -> str:
    """'member_states_attended' -> 'Member States attended' (unknown measures readable too)."""
    return MEASURE_LABELS.get(measure, measure.replace("_", " ").capitalize())


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


def session_label(session_number: int) -> str:
    """'Session 3'; the stocktaking meeting (7) is 'Stocktaking'."""
    return "Stocktaking" if int(session_number) == 7 else f"Session {int(session_number)}"


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
    for column, gender in (("female_count", "female"), ("male_count", "male"),
                           ("unknown_count", "unknown")):
        out[GENDER_LABELS[gender]] = df[column].astype("Int64").array
    out["Persons"] = df["person_count"].astype("Int64").array
    return out


def quality_flags_table(df: pd.DataFrame) -> pd.DataFrame:
    """From queries.quality_flags: what the checks found, with where to look."""
    where = []
    for document_id, line in zip(df["document_id"], df["line_start"]):
        if _missing(document_id):  # a line number without its document says nothing
            where.append("")
        else:
            where.append(str(document_id) + ("" if _missing(line) else f", line {int(line)}"))
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


ORGANISATION_LABELS: dict[str, str] = {
    "government": "Government",
    "un_system": "UN system",
    "other_intergovernmental": "Other intergovernmental",
    "academia_research": "Academia and research",
    "civil_society_ngo": "Civil society and NGOs",
    "private_sector": "Private sector",
    "other": "Other",
}

COVERAGE_LABELS: dict[str, str] = {
    "procedural_note": "Procedural note",
    "programme_of_work": "Programme of work",
    "summary": "Co-facilitators' summary",
    "dates": "Dates",
    "venue": "Venue",
    "agenda": "Agenda",
    "panel_titles": "Panel titles",
    "panel_people": "Panelists named",
    "participation_counts": "Participation counts",
}


def organisation_label(kind: str) -> str:
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
    table = table.replace({"present": "held", "missing": "missing"})
    table.columns = [COVERAGE_LABELS[i] for i in table.columns]
    table.insert(0, "Session", [session_label(n) for n in table.index])
    return table.reset_index(drop=True)
