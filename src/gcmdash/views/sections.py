"""The page sections as data: each title, caption, figure, table, empty-state message and source
line written once, for the Streamlit app (gcmdash.app) and the static site (gcmdash.site) alike.

One function per section, query results in, a `Section` out; no SQL, no Streamlit, no HTML.
How a section is drawn is the renderer's business; the hints here (wide columns, link columns,
wrapping texts, a table shown under its chart) say what the content needs, not how to draw it.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from gcmdash.provenance import cited_document
from gcmdash.views import charts, tables

# Titles a page may need before the section is built (a selector sits between them).
TOPIC_SESSIONS_TITLE = "Themes across sessions"
OBJECTIVE_COVERAGE_TITLE = "GCM objectives coverage"
NO_TOPIC_MODEL = "This database has no topic model yet; rebuild it with `gcmdash build`."


@dataclass(frozen=True, eq=False)
class Section:
    """One piece of a page: what it shows, what it says about it, and what stands in when the
    record holds nothing for it. Title, caption, empty and source are the dashboard's own
    sentences (`code spans` allowed, for the app's Markdown), never record text."""

    name: str                       # stable slug: element ids, data/<name>.csv
    title: str
    caption: str = ""               # what the section shows, one or two sentences
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None  # the numbers of the figure, or the section's table
    empty: str = ""                 # shown instead of the table when it has no row
    source: str = ""                # where the figure's numbers come from
    widths: tuple[tuple[str, str], ...] = ()  # (column, "small" | "medium" | "large")
    links: tuple[str, ...] = ()     # columns that hold web addresses
    wrap: bool = False              # a short table whose long texts should wrap
    table_open: bool = False        # the figure's table shown under it, not folded away
    stack: bool = False             # a wide table whose rows each read as one record: on a
    #                                 narrow screen, one block of "column: value" lines a row
    # The answer in words, shown above the figure: (sentence, ((item label, target), ...))
    # where a target is a matrix cell ('o13-s3': the texts behind it) or a session ('s4').
    findings: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the section has a table and the table has no row (and no figure)."""
        return self.figure is None and self.table is not None and self.table.empty

    @property
    def alt_text(self) -> str:
        """The figure as text (its full text alternative), else the caption."""
        return (charts.alt_text(self.figure) if self.figure is not None else "") or self.caption

    @property
    def short_alt(self) -> str:
        """The figure's accessible name (its first sentence), else the caption."""
        return (charts.short_alt(self.figure) if self.figure is not None else "") or self.caption


def _retitled(fig: go.Figure, title: str | None) -> go.Figure:
    """The figure with its own title replaced (a one-session chart says which session)."""
    if title:
        fig.update_layout(title={"text": html.escape(title, quote=False)})
    return fig


def _documents_only(labels) -> str:
    """Source labels -> the distinct documents and pages they name, in order."""
    names = [cited_document(label) for label in labels]
    return "; ".join(dict.fromkeys(n for n in names if n)) or tables.NOT_REPORTED


# --------------------------------------------------------------------------- charts

def sessions_timeline(sessions: pd.DataFrame) -> Section:
    """queries.sessions -> the consultations on a time line."""
    return Section(
        "sessions-timeline", "Sessions",
        "The six informal thematic sessions and the stocktaking meeting on a time line, with "
        "city and dates; hover for the theme, venue and source.",
        charts.sessions_timeline(sessions))


def participation(matrix: pd.DataFrame, session_number: int | None = None) -> Section:
    """queries.participation_matrix (all sessions, or the rows of one) -> counts per session."""
    if session_number is None:
        name, title = "participation", "Participation across sessions"
    else:
        name = f"session-{session_number}-participation"
        title = f"Participation in {tables.session_label(session_number)}"
    return Section(
        name, title,
        "Member States, interventions, UN agencies and stakeholders in each session as the "
        "record states them; “not reported” marks a count no source gives, never a zero.",
        _retitled(charts.participation_panels(matrix), title if session_number else None),
        tables.participation_table(matrix),
        source="the Source column names the document and line, or the public page, of each "
        "session's counts; “Where each number comes from” gives each count with its own "
        "evidence and source.", table_open=True,
        # One session's row has eight columns: on a phone it reads as a record, not as a
        # table scrolled sideways.
        stack=session_number is not None)


def women_on_panels(gender: pd.DataFrame) -> Section:
    """queries.panel_gender -> the share of women among each session's panelists and
    moderators, with its denominator and the persons whose honorific states no gender."""
    return Section(
        "women-on-panels", "Women on the panels",
        "Panelists and moderators of each session, each person counted once, by the honorific "
        "the record lists (Ms. or Mr.); “not stated” is anyone listed as Dr., Prof., H.E. or "
        "without a title, never guessed. Beside each bar: women of all persons on the panels.",
        charts.women_share_chart(gender), tables_women_share(gender),
        source="the documents and public programmes that list each session's panels; every "
        "person with the line that names them is on the session's page.", table_open=True)


def tables_women_share(gender: pd.DataFrame) -> pd.DataFrame:
    """queries.panel_gender -> one row per session: women, men, not stated, on the panels, and
    the share of women ('not in the record' where no panel is listed)."""
    rows = []
    for r in gender.itertuples(index=False):
        listed = not pd.isna(r.person_count) and int(r.person_count) > 0
        row = {"Session": tables.session_label(r.session_number)}
        for column, value in (("Women (Ms.)", r.female_count), ("Men (Mr.)", r.male_count),
                              ("Not stated", r.unknown_count),
                              ("On the panels", r.person_count)):
            row[column] = str(int(value)) if listed else tables.NOT_IN_RECORD
        row["Share of women"] = (f"{int(r.female_count) / int(r.person_count):.0%}"
                                 if listed else tables.NOT_IN_RECORD)
        rows.append(row)
    return pd.DataFrame(rows)


def participation_sources(participation_rows: pd.DataFrame) -> Section:
    """queries.participation -> every count with its evidence and source."""
    return Section("participation-sources", "Where each number comes from",
                   table=tables.participation_sources_table(participation_rows))


def panel_composition(panels: pd.DataFrame,
                      roles_by_session: dict[int, pd.DataFrame] | None = None,
                      session_number: int | None = None) -> Section:
    """queries.panel_composition (all sessions, or the rows of one) -> persons per role and
    gender. With roles_by_session (queries.session_roles per session), the table gets a Source
    column naming the documents and pages that list each session's people."""
    table = tables.panel_composition_table(panels)
    if roles_by_session is not None:
        no_roles = pd.DataFrame({"sources": []})
        table["Source"] = [
            _documents_only([s for sources in roles_by_session.get(int(n), no_roles)["sources"]
                             for s in tables.as_list(sources)])
            for n in panels["session_number"]]
    if session_number is None:
        name, title = "panel-composition", "Panel composition"
    else:
        name = f"session-{session_number}-panels"
        title = f"Panel composition in {tables.session_label(session_number)}"
    return Section(
        name, title,
        "Persons per role in each session, each counted once however many sources name them, "
        "by gender as the honorific lists it (Ms. or Mr.; anything else is not stated).",
        _retitled(charts.panel_composition_chart(panels), title if session_number else None),
        table,
        source="the documents and public programmes that list each session's people (the "
        "Source column); each person with the line that names them is on the session's page.",
        table_open=True)


def organisations(composition: pd.DataFrame) -> Section:
    """queries.organisation_composition -> persons with a role by kind of organisation."""
    return Section(
        "organisations", "Kinds of organisation on the panels",
        "Persons with a role in each session by the kind of organisation their affiliation "
        "names (government, UN system, academia, civil society, ...), each counted once; the "
        "rule that typed each affiliation is in the data dictionary (roles.organisation_rule).",
        charts.organisation_chart(composition), tables.organisation_table(composition),
        table_open=True)


def agenda(items: pd.DataFrame) -> Section:
    """queries.agenda_items of one document -> the agenda by day."""
    return Section(
        "agenda", "Agenda",
        "Each day of the session from its first to its last item, as the chosen document "
        "gives it; hover for the description and the source line. Hatched items sit on an "
        "inferred day (the document lost its day headings).",
        charts.agenda_timeline(items), tables.agenda_table(items))


def topic_sessions(shares: pd.DataFrame, model_id: str | None,
                   selected: str | None = None) -> Section:
    """queries.topic_sessions -> each topic's share of each session's text units."""
    return Section(
        "themes-sessions", TOPIC_SESSIONS_TITLE,
        "The share of each session's text units whose strongest topic is each topic of the "
        "model; a session with few texts (a theme and panel titles only) weighs each text "
        "heavily.",
        charts.topic_session_heatmap(shares, selected=selected),
        tables.topic_session_table(shares),
        source=f"topic model {model_id or tables.NOT_REPORTED} fitted on the record's text "
        "units (recommendations, panel descriptions, area narratives, session themes), each "
        "from a document line or public page; the model's provenance is with the sources.")


def coverage_findings(coverage: pd.DataFrame) -> tuple[tuple[str, tuple[tuple[str, str],
                                                                        ...]], ...]:
    """queries.objective_cells -> the matrix's answer in words: the objectives no session
    covered, those covered by one session only (each linked to the texts behind its cell), the
    sessions with too little text to judge (linked to the session), and where the judgeable
    sessions left objectives out."""
    states = charts.cell_states(coverage)
    cells = coverage.assign(_state=states)
    titles = dict(zip(cells["objective"], cells["short_title"]))
    covered = cells[cells["_state"] == "covered"]
    by_objective = covered.groupby("objective")["session_number"].apply(list)
    never = [int(o) for o in sorted(titles) if o not in by_objective.index]
    once = [(int(o), int(ns[0])) for o, ns in by_objective.items() if len(ns) == 1]
    per_session = cells.groupby("session_number")["_state"].apply(set)
    thin = [int(n) for n, st in per_session.items() if "too_little_text" in st]
    judged = [int(n) for n, st in per_session.items() if "too_little_text" not in st]
    findings = [
        (f"Objectives no session covered: {len(never)}" + ("." if never else " (every "
         "objective was touched at least once)."),
         tuple((f"{o} · {titles[o]}", f"o{o}") for o in never)),
        (f"Objectives covered by one session only: {len(once)}.",
         tuple((f"{o} · {titles[o]} ({tables.session_label(n)})", tables.cell_key("o", o, n))
               for o, n in once)),
        (f"Sessions with too little text to judge (a theme and panel titles only): "
         f"{len(thin)}; their cells say “few”, not “gap”.",
         tuple((tables.session_label(n), f"s{n}") for n in thin)),
    ]
    gaps = [(n, int((cells[(cells["session_number"] == n)]["_state"] == "gap").sum()))
            for n in judged]
    if gaps:
        left_out = [f"{tables.session_label(n)} left {g} of {len(titles)} objectives out"
                    for n, g in gaps]
        findings.append(("Gaps where a session can be judged (a summary, or panel "
                         "descriptions): " + "; ".join(left_out) + ".",
                         tuple((tables.session_label(n), f"s{n}") for n, _ in gaps)))
    return tuple(findings)


def objective_coverage(coverage: pd.DataFrame, selected: str | None = None) -> Section:
    """queries.objective_cells -> the GCM objectives each session's texts touch, with the
    answer in words above the matrix."""
    return Section(
        "gcm-objectives", OBJECTIVE_COVERAGE_TITLE,
        "Which of the 23 GCM objectives each session's texts touch: the number of text units "
        "that map to it; “gap” (orange) only where the session has text enough to judge (a "
        "summary, or a programme with panel descriptions) and none maps to the objective; "
        "“few” (grey) where its texts are too few to judge (a theme and panel titles). "
        "Columns: S1–S6 the informal sessions, ST the stocktaking, each with its number of "
        "texts.",
        charts.objective_coverage_matrix(coverage, selected=selected),
        tables.objective_coverage_table(coverage), findings=coverage_findings(coverage),
        source="the record's text units mapped to the objectives by the term table in the "
        "topic stage (gcmdash/topics/); objective titles from the GCM text (sources page).")


def model_selection(selection: pd.DataFrame) -> Section:
    """queries.topic_model_selection -> how the number of topics was chosen."""
    return Section(
        "topic-model-selection", "How the number of topics was chosen",
        "Stability of the topics for each candidate number of topics: models fitted on "
        "different random subsamples of the text units should group the same units "
        "together (mean adjusted Rand index; 1 = identical). The largest k within 0.1 of "
        "the most stable is used; no label is looked at. Measure the topics against the summaries' own areas "
        "with `gcmdash topics --evaluate`.",
        charts.model_selection_chart(selection), tables.model_selection_table(selection),
        source="the topic model's selection run stored with the model "
        "(topic_model_selection table).")


# --------------------------------------------------------------------------- tables

_FLAGS_CAPTION = ("What the build's checks found: errors mean facts were lost, warnings that "
                  "they are doubtful or conflicting, info that they are worth knowing.")


def quality_flags(flags: pd.DataFrame, session_number: int | None = None) -> Section:
    """queries.quality_flags (all, or of one session) -> what the checks found."""
    if session_number is None:
        return Section("quality-flags", "Quality flags", _FLAGS_CAPTION,
                       table=tables.quality_flags_table(flags),
                       empty="The checks found nothing to flag here.",
                       widths=(("Where", "medium"), ("Message", "large")))
    return Section(f"session-{session_number}-flags", "Quality flags",
                   table=tables.quality_flags_table(flags),
                   empty="The checks found nothing to flag for this session.",
                   widths=(("Message", "large"),))


def sessions_table(sessions: pd.DataFrame) -> Section:
    """queries.sessions -> one row per session."""
    return Section(
        "sessions", "The sessions",
        "One row per session as its documents and curated sources state it; “not in the "
        "record” means no source gives that fact, “not reported” that none gives that count.",
        table=tables.sessions_table(sessions),
        widths=(("City", "medium"), ("Title", "large")), stack=True)


def missing(coverage: pd.DataFrame) -> Section:
    """queries.record_coverage -> what the record lacks, and for which sessions."""
    return Section("missing", "Missing from the record", table=tables.missing_table(coverage))


def record_coverage(coverage: pd.DataFrame, session_number: int | None = None) -> Section:
    """queries.record_coverage (all sessions, or one) -> held or missing per session."""
    return Section(
        "record-coverage" if session_number is None else f"session-{session_number}-coverage",
        "Record coverage per session" if session_number is None else "Held or missing",
        "For each session, which documents the corpus holds and which key facts any source "
        "gives; “missing” is a gap in the record, shown as such everywhere, never as zero."
        if session_number is None else "",
        table=tables.record_coverage_table(coverage))


def documents(docs: pd.DataFrame) -> Section:
    """queries.documents -> the files the record is built from."""
    return Section(
        "documents", "Documents",
        "Every file found in data/raw, with the kind and session read from its content; a "
        "failed document is listed with its reason and never stops the others.",
        table=tables.documents_table(docs))


def session_documents(docs: pd.DataFrame) -> Section:
    """queries.documents of one session -> the documents held for it."""
    return Section(
        "session-documents", "Documents of this session",
        table=tables.session_documents_table(docs),
        empty="The corpus holds no document of this session; its facts come from curated "
        "public sources.")


def session_panels(panels: pd.DataFrame, roles: pd.DataFrame) -> Section:
    """queries.session_panels + queries.session_roles -> each panel with its people."""
    return Section(
        "panels", "Panels",
        "Each panel with its moderator and panelists; titles and times from the session's "
        "own documents before the curated programme, every source listed.",
        table=tables.panels_table(panels, roles),
        empty="The record names no panels for this session.", wrap=True)


def session_roles(roles: pd.DataFrame) -> Section:
    """queries.session_roles -> everyone with a role in the session."""
    return Section("roles", "Everyone with a role", table=tables.session_roles_table(roles),
                   empty=tables.NO_SPEAKER_LIST.capitalize() + ".")


def format_rules(rules: pd.DataFrame) -> Section:
    """queries.format_rules -> the session's format rules."""
    return Section(
        "format-rules", "Format rules", table=tables.format_rules_table(rules),
        empty="The record holds no procedural note stating this session's format rules.",
        wrap=True)


def sources(curated: pd.DataFrame) -> Section:
    """queries.curated_sources -> the public pages the curated record cites."""
    return Section(
        "sources", "Public pages the curated record cites",
        "Every public page the curated record cites, with the sessions and tables it "
        "supports; the documents are the other source.",
        table=tables.sources_table(curated), widths=(("Source", "large"),),
        links=("Source",))


def tables_overview(dictionary: pd.DataFrame) -> Section:
    """queries.data_dictionary -> one row per table."""
    return Section("tables", "Tables", table=tables.tables_overview(dictionary),
                   widths=(("Description", "large"),))


def data_dictionary(dictionary: pd.DataFrame, table_name: str | None = None) -> Section:
    """queries.data_dictionary -> the columns (of one table, or all)."""
    return Section(
        "columns", "Columns",
        "Read from the database itself: each description is the schema's COMMENT "
        "(gcmdash/schema.sql).",
        table=tables.data_dictionary_table(dictionary, table_name),
        widths=(("Description", "large"),))


def topic_model(model: pd.DataFrame) -> Section:
    """queries.topic_model -> the model's provenance."""
    return Section("topic-model", "The model", table=tables.topic_model_table(model), wrap=True)


def topics(topic_rows: pd.DataFrame, model: pd.DataFrame | None = None) -> Section:
    """queries.topics (and queries.topic_model, for how stable they are) -> each topic with its
    label, terms and counts."""
    stability = ("" if model is None or model.empty
                 else f" How stable: {model['stability_summary'].iloc[0]}.")
    return Section(
        "topics", "Its topics",
        "Each topic with its label (its heaviest terms that are not spread over every topic), "
        "its top terms, the GCM objective whose terms weigh most in it where most of its texts "
        "match that objective (else “no clear objective”), and the text units and "
        f"recommendations assigned to it (model {tables.model_id(topic_rows)}, whose provenance "
        f"is with the method and sources).{stability}",
        table=tables.topics_table(topic_rows), wrap=True)
