"""Charts: pure functions, query DataFrame in -> plotly Figure out. No Streamlit, no SQL.

The same functions draw the app, the notebooks and the published site. A count the record
lacks is never drawn as a zero bar: it is written "not reported" where its bar would be.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from gcmdash import vocab
from gcmdash.views.tables import (
    GENDER_LABELS,
    NO_SPEAKER_LIST,
    NOT_IN_RECORD,
    NOT_REPORTED,
    as_list,
    format_count,
    measure_label,
    organisation_label,
    role_label,
    session_label,
    some_sources,
)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
_MEASURE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                    "#000000")
_GENDER_COLOURS = vocab.colours(vocab.GENDERS)
_MISSING_FONT = {"size": 11, "color": "#595959"}
_GROUP_WIDTH = 0.8  # share of one session's slot taken by its group of bars
_OTHER_COUNTS_SHOWN = 5  # a hover lists this many other counts of a bar, then how many more


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _hover_text(*lines: str) -> str:
    """Hover lines, each escaped: plotly reads hover text as (limited) HTML."""
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def participation_chart(matrix: pd.DataFrame) -> go.Figure:
    """Grouped bars, one group per session and one bar per measure, from
    queries.participation_matrix. Bars are labelled as stated ("110", "over 120") and their
    hover names the source (document and line, or URL). Where the record has no count, no bar
    is drawn and "not reported" is written at its place: once across a session that reports
    nothing, else upright at each missing bar."""
    session_numbers = sorted(int(n) for n in matrix["session_number"].unique())
    slot = {n: i for i, n in enumerate(session_numbers)}
    measures = list(dict.fromkeys(str(m) for m in matrix["measure"]))
    step = _GROUP_WIDTH / max(len(measures), 1)
    reported = matrix.loc[matrix["value"].notna(), "session_number"].astype(int)
    silent_sessions = [n for n in session_numbers if n not in set(reported)]

    fig = go.Figure()
    annotations: list[dict] = []
    for j, measure in enumerate(measures):
        label = measure_label(measure)
        offset = -_GROUP_WIDTH / 2 + step * (j + 0.5)
        xs, ys, texts, hovers = [], [], [], []
        for row in matrix[matrix["measure"] == measure].itertuples(index=False):
            n = int(row.session_number)
            x = round(slot[n] + offset, 6)
            if _missing(row.value):
                if n not in silent_sessions:
                    annotations.append(dict(
                        x=x, y=0, text=NOT_REPORTED, textangle=-90, showarrow=False,
                        xanchor="center", yanchor="bottom", font=_MISSING_FONT))
                continue
            count = format_count(row.value, row.qualifier)
            lines = [f"{session_label(n)} · {label}: {count}",
                     f"Source: {row.source_label}"]
            others = as_list(row.other_sources)  # DuckDB gives a list column as arrays
            for other in others[:_OTHER_COUNTS_SHOWN]:
                lines.append(f"Also stated: {format_count(other['value'], other['qualifier'])}"
                             f" ({some_sources(other['source_labels'], other['source_count'])})")
            if len(others) > _OTHER_COUNTS_SHOWN:
                rest = others[_OTHER_COUNTS_SHOWN:]
                lines.append(f"and {len(rest):,} other counts, from "
                             f"{sum(int(o['source_count']) for o in rest):,} sources")
            xs.append(x)
            ys.append(int(row.value))
            texts.append(count)
            hovers.append(_hover_text(*lines))
        fig.add_trace(go.Bar(
            x=xs, y=ys, width=step * 0.92, name=label, text=texts, textposition="outside",
            textangle=-90, textfont={"size": 11, "color": "#333333"}, constraintext="none",
            cliponaxis=False, hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            marker_color=_MEASURE_COLOURS[j % len(_MEASURE_COLOURS)]))

    for n in silent_sessions:
        annotations.append(dict(x=slot[n], y=0, text=NOT_REPORTED, showarrow=False,
                                xanchor="center", yanchor="bottom", font=_MISSING_FONT))

    in_record = {int(n): bool(v) for n, v in
                 zip(matrix["session_number"], matrix["session_in_record"])}
    ticktext = [session_label(n) if in_record.get(n, True)
                else f"{session_label(n)}<br><i>{NOT_IN_RECORD}</i>" for n in session_numbers]
    top = max([int(v) for v in matrix["value"].dropna()], default=0)
    fig.update_layout(
        title={"text": "Participation in each session, as the record states it"},
        template="plotly_white",
        barmode="overlay",
        annotations=annotations,
        height=560,
        margin={"t": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0},
        xaxis={"tickmode": "array", "tickvals": list(range(len(session_numbers))),
               "ticktext": ticktext, "range": [-0.5, len(session_numbers) - 0.5],
               "showgrid": False},
        yaxis={"title": {"text": "Count as stated"}, "rangemode": "tozero",
               "range": [0, max(top * 1.2, 10)]},
    )
    stated = [f"{session_label(n)}: " + ", ".join(
        f"{measure_label(r.measure)} {format_count(r.value, r.qualifier)}"
        for r in matrix[(matrix["session_number"] == n) & matrix["value"].notna()]
        .itertuples(index=False)) for n in session_numbers if n not in silent_sessions]
    alt = ("Grouped bar chart of participation counts as stated. " + "; ".join(stated) + "."
           + (f" Not reported: {_sessions_list(silent_sessions)}." if silent_sessions else ""))
    return _with_alt(fig, alt)


_ROW_HEIGHT = 26  # px per row of the composition chart


@dataclass
class _Composition:
    """What the composition chart draws, one row per session and role, top down."""

    bars: dict[str, dict[str, list]] = field(default_factory=lambda: {
        g: {"x": [], "y": [], "text": [], "hovertext": []} for g in _GENDER_COLOURS})
    annotations: list[dict] = field(default_factory=list)
    shapes: list[dict] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)

    def add_role(self, session_number: int, row) -> None:
        """One row, 'S3 · Panelist': a role of the session, stacked by gender (no empty
        segments)."""
        role = role_label(row.role)
        label = html.escape(f"{short_session_label(session_number)} · {role}", quote=False)
        for gender in _GENDER_COLOURS:
            count = int(getattr(row, f"{gender}_count"))
            if count:
                bar = self.bars[gender]
                bar["x"].append(count)
                bar["y"].append(label)
                bar["text"].append(str(count))
                bar["hovertext"].append(_hover_text(
                    f"{session_label(session_number)} · {role}",
                    f"{GENDER_LABELS[gender]}: {count} person(s)"))
        self.rows.append(label)

    def add_session(self, session_number: int, rows: pd.DataFrame, first_session: bool) -> None:
        """A session's rows, a thin rule above them, or, with nobody listed, one row saying
        "no list of speakers in the record" where its bars would be."""
        if not first_session:
            self.shapes.append(dict(type="line", xref="paper", yref="y", x0=0, x1=1,
                                    y0=len(self.rows) - 0.5, y1=len(self.rows) - 0.5,
                                    line={"color": "#dddddd", "width": 1}))
        if rows.empty:
            label = html.escape(short_session_label(session_number), quote=False)
            self.annotations.append(dict(x=0, y=label, xanchor="left", showarrow=False,
                                         text=NO_SPEAKER_LIST, font=_MISSING_FONT))
            self.rows.append(label)
        for row in rows.itertuples(index=False):
            self.add_role(session_number, row)


def _composition_alt(listed: pd.DataFrame, session_numbers: list[int]) -> str:
    """The composition chart as text: per session, each role's count by gender."""
    parts = []
    for n in session_numbers:
        rows = listed[listed["session_number"] == n]
        if rows.empty:
            continue
        parts.append(f"{session_label(n)}: " + ", ".join(
            f"{int(r.person_count)} {role_label(r.role).lower()} ({int(r.female_count)} "
            f"female, {int(r.male_count)} male, {int(r.unknown_count)} not stated)"
            for r in rows.itertuples(index=False)))
    unlisted = [n for n in session_numbers if listed[listed["session_number"] == n].empty]
    return ("Stacked bar chart of persons per role and session by gender as listed. "
            + "; ".join(parts) + "."
            + (f" No list of speakers: {_sessions_list(unlisted)}." if unlisted else ""))


def panel_composition_chart(df: pd.DataFrame) -> go.Figure:
    """Stacked bars from queries.panel_composition, one row per session and role ('S3 ·
    Panelist', sessions in time order, top down), stacked by gender as listed; a row per label
    keeps every label legible at any width. A session with nobody listed gets one row saying
    "no list of speakers in the record" where its bars would be."""
    drawn = _Composition()
    session_numbers = sorted(int(n) for n in df["session_number"].unique())
    listed = df[df["role"].notna()]
    for k, n in enumerate(session_numbers):
        drawn.add_session(n, listed[listed["session_number"] == n], first_session=k == 0)
    fig = go.Figure()
    for gender, trace in drawn.bars.items():
        fig.add_trace(go.Bar(
            **trace, orientation="h", name=GENDER_LABELS[gender],
            marker_color=_GENDER_COLOURS[gender], textposition="inside", textangle=0,
            insidetextanchor="middle", textfont={"color": _SHARE_TEXT[gender], "size": 12},
            width=0.75, hovertemplate="%{hovertext}<extra></extra>"))
    if not session_numbers:
        drawn.annotations.append(dict(text=NO_SPEAKER_LIST, showarrow=False, xref="paper",
                                      yref="paper", x=0.5, y=0.5, font=_MISSING_FONT))
    top = max([int(v) for v in df["person_count"].dropna()], default=0)
    fig.update_layout(
        title={"text": "Who had a role, by gender as listed"},
        template="plotly_white", barmode="stack",
        height=150 + _ROW_HEIGHT * max(len(drawn.rows), 1),
        margin={"t": 50, "l": 10, "r": 10, "b": 130},
        annotations=drawn.annotations, shapes=drawn.shapes,
        # below the axis whatever the chart's height: three rows of legend on a phone
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0,
                "x": 0, "traceorder": "normal"},
        yaxis={"categoryorder": "array", "categoryarray": drawn.rows, "autorange": "reversed",
               "automargin": True, "fixedrange": True, "tickfont": {"size": 11}},
        xaxis={"title": {"text": "Persons"}, "rangemode": "tozero",
               "dtick": 1 if top <= 10 else None, "range": [0, max(top * 1.05, 3)],
               "fixedrange": True},
    )
    return _with_alt(fig, _composition_alt(listed, session_numbers))


_ORGANISATION_COLOURS = vocab.colours(vocab.ORGANISATION_TYPES)


def organisation_chart(df: pd.DataFrame) -> go.Figure:
    """Stacked bars from queries.organisation_composition: persons per session by the kind of
    organisation of their affiliation. A session with nobody listed is marked, not drawn as 0."""
    session_numbers = sorted(int(n) for n in df["session_number"].unique())
    position = {n: i for i, n in enumerate(session_numbers)}
    fig = go.Figure()
    for kind, colour in _ORGANISATION_COLOURS.items():
        rows = df[df["organisation_type"] == kind]
        if rows.empty:
            continue
        sessions = [int(n) for n in rows["session_number"]]
        counts = [int(v) for v in rows["person_count"]]
        fig.add_trace(go.Bar(
            x=[position[n] for n in sessions], y=counts, name=organisation_label(kind),
            marker_color=colour, text=counts, textposition="inside", textangle=0,
            hovertext=[_hover_text(session_label(n), f"{organisation_label(kind)}: {v} person(s)")
                       for n, v in zip(sessions, counts)],
            hovertemplate="%{hovertext}<extra></extra>"))
    listed = set(df.loc[df["organisation_type"].notna(), "session_number"].astype(int))
    # upright across its slot, the words fit a slot of a phone's width (about 40 px)
    annotations = [dict(x=position[n], y=0, showarrow=False, yanchor="bottom", font=_MISSING_FONT,
                        textangle=-90, text=NO_SPEAKER_LIST.replace(" in ", "<br>in ", 1))
                   for n in session_numbers if n not in listed]
    fig.update_layout(
        title={"text": "Persons by kind of organisation"},
        template="plotly_white", barmode="stack", height=440, annotations=annotations,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "traceorder": "normal"},
        xaxis={"tickmode": "array", "tickvals": list(position.values()),
               "ticktext": [short_session_label(n) for n in session_numbers], "tickangle": 0,
               "range": [-0.5, len(session_numbers) - 0.5], "showgrid": False},
        yaxis={"title": {"text": "Persons"}, "rangemode": "tozero"},
    )
    parts = []
    for n in session_numbers:
        rows = df[(df["session_number"] == n) & df["organisation_type"].notna()]
        if not rows.empty:
            parts.append(f"{session_label(n)}: " + ", ".join(
                f"{organisation_label(r.organisation_type)} {int(r.person_count)}"
                for r in rows.itertuples(index=False)))
    unlisted = [n for n in session_numbers if n not in listed]
    alt = ("Stacked bar chart of persons per session by kind of organisation. "
           + "; ".join(parts) + "."
           + (f" No list of speakers: {_sessions_list(unlisted)}." if unlisted else ""))
    return _with_alt(fig, alt)


# --------------------------------------------------------------------------- alt text

def alt_text(fig: go.Figure) -> str:
    """The chart's text alternative, written by the function that drew it (layout.meta.alt)."""
    meta = fig.layout.meta
    return str(meta.get("alt", "")) if isinstance(meta, dict) else ""


def short_alt(fig: go.Figure) -> str:
    """The first sentence of the alt text: what kind of chart shows what (for the chart's
    accessible name; the full text goes beside the chart)."""
    text = alt_text(fig)
    head, sep, _ = text.partition(". ")
    return head + "." if sep else text


def _with_alt(fig: go.Figure, alt: str) -> go.Figure:
    fig.update_layout(meta={"alt": alt})
    return fig


def _sessions_list(numbers) -> str:
    labels = [session_label(n) for n in sorted(int(n) for n in numbers)]
    return ", ".join(labels) if labels else "none"


# --------------------------------------------------------------------------- overview

_SESSION_COLOURS = vocab.colours(vocab.SESSIONS)


def sessions_timeline(df: pd.DataFrame) -> go.Figure:
    """The consultations on a time line, from queries.sessions: one row per session, a mark
    from its first to its last day, labelled with city and dates; hover gives the theme, venue
    and source. A session without dates in the record is written "not in the record"."""
    from gcmdash.views.tables import format_dates

    fig = go.Figure()
    dated = df[df["start_date"].notna()]
    labels = [session_label(n) for n in df["session_number"]]
    annotations = []
    middle = first = last = None
    if not dated.empty:
        first = pd.Timestamp(dated["start_date"].min())
        last = pd.Timestamp(dated["end_date"].fillna(dated["start_date"]).max())
        middle = first + (last - first) / 2
    for row in df.itertuples(index=False):
        label = session_label(row.session_number)
        if _missing(row.start_date):
            annotations.append(dict(x=0.5, xref="paper", y=label, text=NOT_IN_RECORD,
                                    showarrow=False, font=_MISSING_FONT))
            continue
        start = pd.Timestamp(row.start_date)
        end = start if _missing(row.end_date) else pd.Timestamp(row.end_date)
        city = NOT_IN_RECORD if _missing(row.city) else str(row.city)
        if not _missing(row.planned_city) and row.planned_city != row.city:
            city += f" (announced: {row.planned_city})"
        colour = _SESSION_COLOURS.get(int(row.session_number), _SESSION_COLOURS[1])
        hover = _hover_text(
            f"{label}: {format_dates(row.start_date, row.end_date)}, {city}",
            *([] if _missing(row.title) else [str(row.title)[:120]]),
            *([] if _missing(row.venue) else [f"Venue: {row.venue}"]),
            f"Source: {row.source_label}")
        fig.add_trace(go.Scatter(
            x=[start, end + pd.Timedelta(hours=23)], y=[label, label], mode="lines+markers",
            line={"color": colour, "width": 10}, marker={"size": 12, "color": colour},
            name=label, showlegend=False, hovertext=[hover, hover],
            hovertemplate="%{hovertext}<extra></extra>"))
        # Under the mark, city and dates on two lines, growing towards the middle of the year:
        # beside the mark on one line, a late label ran past the plot's left edge over the
        # session names on a phone ("Puerto Vallarta (announced: ...)" over "Stocktaking").
        late = middle is not None and start > middle
        annotations.append(dict(
            x=end + pd.Timedelta(hours=23) if late else start, y=label,
            xanchor="right" if late else "left", yanchor="top", yshift=-7, showarrow=False,
            align="right" if late else "left",
            text=html.escape(city, quote=False) + "<br>"
            + html.escape(format_dates(row.start_date, row.end_date), quote=False),
            font={"size": 11, "color": "#333333"}))
    x_range = None if middle is None else [first - pd.Timedelta(days=12),
                                           last + pd.Timedelta(days=12)]
    fig.update_layout(
        title={"text": "The consultations, 2017"},
        template="plotly_white", height=90 + 60 * max(len(df), 1), margin={"t": 50, "l": 10,
                                                                          "r": 10, "b": 30},
        annotations=annotations,
        xaxis={"type": "date", "range": x_range, "tickformat": "%b %Y", "showgrid": True},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True},
    )
    held = [f"{session_label(r.session_number)} {format_dates(r.start_date, r.end_date)} in "
            f"{r.city}" for r in dated.itertuples(index=False)]
    missing = [session_label(n) for n in df.loc[df["start_date"].isna(), "session_number"]]
    alt = "Time line of the consultations: " + "; ".join(held) + "."
    if missing:
        alt += f" Dates not in the record: {', '.join(missing)}."
    return _with_alt(fig, alt)


# --------------------------------------------------------------------------- one session

_ITEM_COLOURS = vocab.colours(vocab.ITEM_TYPES)


def _hours(value: object) -> float:
    t = pd.Timestamp(f"2000-01-01 {value}")
    return t.hour + t.minute / 60


def _fit(text: str, hours: float) -> str:
    """Bar text that fits a bar `hours` long (about 13 characters an hour)."""
    room = int(hours * 13)
    if room < 6:
        return ""
    return text if len(text) <= room else text[:room - 1].rstrip() + "…"


def agenda_timeline(df: pd.DataFrame) -> go.Figure:
    """The agenda of one session as a time line, from queries.agenda_items: one row per day,
    one bar per item from start to end time, coloured by kind; hover gives title, times,
    description and source line. Rows whose day was inferred (a truncated agenda) are hatched."""
    from gcmdash.views.tables import item_type_label

    fig = go.Figure()
    days = []
    for n, date, inferred in zip(df["day_number"], df["day_date"], df["day_inferred"]):
        label = f"Day {int(n)}" + ("" if _missing(date) else f"<br>{pd.Timestamp(date):%-d %b}")
        days.append(label + ("<br>(inferred)" if bool(inferred) else ""))
    df = df.assign(_day=days)
    for item_type, colour in _ITEM_COLOURS.items():
        rows = df[df["item_type"] == item_type]
        if rows.empty:
            continue
        starts = [_hours(s) for s in rows["start_time"]]
        lengths = [_hours(e) - s for s, e in zip(starts, rows["end_time"])]
        titles = [str(t) if _missing(p) else f"Panel {int(p)}: {t}"
                  for t, p in zip(rows["title"], rows["panel_number"])]
        hovers = [_hover_text(
            f"{str(s)[:5]}–{str(e)[:5]} · {item_type_label(item_type)}", title[:150],
            *([] if _missing(d) else [str(d)[:200] + ("…" if len(str(d)) > 200 else "")]),
            *(["Day inferred: the document lost its day heading"] if bool(inf) else []),
            f"Source: {src}")
            for s, e, title, d, inf, src in zip(rows["start_time"], rows["end_time"], titles,
                                                rows["description"], rows["day_inferred"],
                                                rows["source_label"])]
        fig.add_trace(go.Bar(
            y=list(rows["_day"]), x=lengths, base=starts, orientation="h",
            name=item_type_label(item_type), marker_color=colour,
            marker_pattern_shape=["/" if bool(i) else "" for i in rows["day_inferred"]],
            marker_line={"color": "white", "width": 1},
            text=[html.escape(_fit(t, h), quote=False) for t, h in zip(titles, lengths)],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont={"size": 11}, constraintext="none", cliponaxis=True,
            hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>"))
    day_order = list(dict.fromkeys(days))
    starts = [_hours(s) for s in df["start_time"]] or [9]
    ends = [_hours(e) for e in df["end_time"]] or [18]
    # At least a working day (10:00-18:00), so a truncated agenda shows where its rows sit.
    lo, hi = min(int(min(starts)), 10), max(int(max(ends) + 0.99), 18)
    fig.update_layout(
        title={"text": "Agenda by day"}, template="plotly_white", barmode="overlay",
        height=140 + 80 * max(len(day_order), 1), margin={"t": 50, "b": 40, "r": 30},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0,
                "traceorder": "normal"},
        xaxis={"range": [lo - 0.05, hi + 0.05], "tickmode": "array",
               "tickvals": list(range(lo, hi + 1)),
               "ticktext": [f"{h:02d}:00" for h in range(lo, hi + 1)], "showgrid": True,
               "title": {"text": "Local time"}},
        yaxis={"categoryorder": "array", "categoryarray": day_order[::-1], "automargin": True},
    )
    per_day = [f"Day {int(n)}: " + ", ".join(
        f"{str(r.start_time)[:5]}–{str(r.end_time)[:5]} {r.title}"
        for r in group.itertuples(index=False))
        for n, group in df.groupby("day_number", sort=True)]
    alt = (f"Agenda time line, {len(day_order)} day(s), {len(df)} item(s). "
           + "; ".join(per_day) + ".")
    if df["day_inferred"].any():
        alt += " Some days are inferred: the document lost its day headings."
    return _with_alt(fig, alt)


# --------------------------------------------------------------------------- themes

_SELECTED_LINE = {"color": "#000000", "width": 3}


def _unwrapped(label: str) -> str:
    """A wrapped, escaped axis label as plain text again (for hovers and alt text)."""
    return html.unescape(label.replace("<br>", " "))


_LABEL_WRAP = 22  # characters per line of a row label: at 390 px seven columns keep ~34 px
_OBJECTIVE_WRAP = 27  # an objective's title (up to 68 characters) on three lines at most


def wrapped_label(text: str, width: int = _LABEL_WRAP) -> str:
    """A row label escaped for plotly and wrapped onto lines of at most `width` characters
    (<br> between them), so a narrow screen keeps room for the cells."""
    import textwrap

    return "<br>".join(html.escape(line, quote=False)
                       for line in textwrap.wrap(str(text), width) or [""])


def _cell_grid(x_labels: list[str], y_labels: list[str], height_per_row: int) -> dict:
    return {
        "template": "plotly_white",
        "height": 150 + height_per_row * max(len(y_labels), 1),
        # the column labels sit on top, two lines each: the title is pinned to the top of the
        # figure, with room below it for them (centred in a margin the labels widened, it sat
        # on the labels, plainly so on a phone)
        "margin": {"t": 100, "l": 10, "r": 10, "b": 20},
        "title_y": 1, "title_yref": "container", "title_yanchor": "top", "title_pad_t": 14,
        # the ranges are the cells' own: the invisible markers that carry the clicks made
        # autorange pad the grid with an empty band under the column labels
        "xaxis": {"categoryorder": "array", "categoryarray": x_labels, "side": "top", "tickangle": 0,
                  "showgrid": False, "fixedrange": True, "automargin": True,
                  "range": [-0.5, len(x_labels) - 0.5]},
        "yaxis": {"categoryorder": "array", "categoryarray": y_labels[::-1],
                  "range": [-0.5, len(y_labels) - 0.5],
                  "automargin": True, "showgrid": False, "fixedrange": True,
                  "tickfont": {"size": 10}},
        "hovermode": "closest", "hoverdistance": -1, "clickmode": "event+select",
        "dragmode": False,
    }


def _selectable_points(xs, ys, hovers, customdata) -> go.Scatter:
    """Invisible markers at the cell centres: plotly's selection events work on points, not
    on heat map cells, so these carry the hover and the click."""
    return go.Scatter(x=xs, y=ys, mode="markers", name="cells", showlegend=False,
                      marker={"size": 28, "symbol": "square", "opacity": 0.0},
                      selected={"marker": {"opacity": 0.0}},
                      unselected={"marker": {"opacity": 0.0}},
                      hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
                      customdata=customdata)


def _selected_box(column: int, row: int, rows: int) -> dict:
    """An outline around the cell in `column` (0 = first) and `row` (0 = top row of `rows`)."""
    y = rows - 1 - row  # the y categories run bottom-up
    return dict(type="rect", xref="x", yref="y", x0=column - 0.5, x1=column + 0.5,
                y0=y - 0.5, y1=y + 0.5, line=_SELECTED_LINE)


def _session_columns(df: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Sessions of a themes chart and their column labels, short enough for seven columns on a
    phone: 'S3<br>92' (session 3, 92 texts), 'ST<br>1' for the stocktaking."""
    counts = df.groupby("session_number")["session_unit_count"].max()
    sessions = sorted(int(n) for n in counts.index)
    return sessions, [f"{'ST' if n == vocab.STOCKTAKING_SESSION else f'S{n}'}<br>"
                      f"{int(counts[n])}" for n in sessions]


def _cell_text(x: str, y: str, text: str, dark: bool) -> dict:
    return dict(x=x, y=y, text=text, showarrow=False,
                font={"size": 10, "color": "#ffffff" if dark else "#222222"})


def topic_session_heatmap(df: pd.DataFrame, selected: str | None = None) -> go.Figure:
    """Topic x session heat map from queries.topic_sessions: the share of each session's text
    units whose strongest topic it is ("22%"; blank for none). Columns name the session's
    number of texts. Each cell is selectable (customdata ['t', topic_id, session_number]);
    `selected` ('t8-s3') is outlined."""
    from gcmdash.views.tables import cell_key, topic_label

    topics = df[["topic_id", "label"]].drop_duplicates().sort_values("topic_id")
    # axis labels are read as (limited) HTML by plotly: escape the model's words
    y_labels = [wrapped_label(topic_label(t, lbl))
                for t, lbl in zip(topics["topic_id"], topics["label"])]
    y_of = dict(zip(topics["topic_id"], y_labels))
    row_of = {t: i for i, t in enumerate(topics["topic_id"])}
    sessions, x_labels = _session_columns(df)
    z = [[None] * len(sessions) for _ in y_labels]
    top = max([float(v) for v in df["share"]], default=0) or 1
    xs, ys, hovers, custom, shapes, annotations = [], [], [], [], [], []
    for r in df.itertuples(index=False):
        i, j = row_of[r.topic_id], sessions.index(int(r.session_number))
        x, y = x_labels[j], y_of[r.topic_id]
        z[i][j] = float(r.share)
        if r.unit_count:
            annotations.append(_cell_text(x, y, f"{r.share:.0%}", r.share > 0.55 * top))
        xs.append(x)
        ys.append(y)
        hovers.append(_hover_text(
            f"{_unwrapped(y)} × {session_label(r.session_number)}",  # escaped once, here
            f"{int(r.unit_count)} of {int(r.session_unit_count)} text units ({r.share:.0%})",
            "Click to list them"))
        custom.append(["t", int(r.topic_id), int(r.session_number)])
        if selected == cell_key("t", r.topic_id, r.session_number):
            shapes.append(_selected_box(j, i, len(y_labels)))
    fig = go.Figure([
        go.Heatmap(x=x_labels, y=y_labels, z=z, colorscale="Blues", zmin=0, zmax=top,
                   xgap=2, ygap=2, hoverinfo="skip", showscale=False, name="share"),
        _selectable_points(xs, ys, hovers, custom),
    ])
    fig.update_layout(title={"text": "Topics in each session"}, shapes=shapes,
                      annotations=annotations, **_cell_grid(x_labels, y_labels, 40))
    strongest = []
    for t, group in df.groupby("topic_id", sort=True):
        best = group.sort_values(["share", "session_number"], ascending=[False, True]).iloc[0]
        if best["unit_count"]:
            strongest.append(f"{_unwrapped(y_of[t])}: most in {session_label(best['session_number'])} "
                             f"({best['share']:.0%})")
    alt = (f"Heat map of {len(y_labels)} topics by {len(sessions)} sessions, the share of each "
           f"session's text units in each topic. " + "; ".join(strongest) + ".")
    return _with_alt(fig, alt)


_CELL_COLOURS = vocab.colours(vocab.OBJECTIVE_CELL_STATES)
_COVERED_SCALE = [[0, "#c6dbef"], [1, _CELL_COLOURS["covered"]]]
_CELL_LABELS = vocab.labels(vocab.OBJECTIVE_CELL_STATES)
# the build's coverage.status -> the cell's state, for frames without cell_state
_STATUS_CELL = {"covered": "covered", "gap": "gap", "no_text": "too_little_text"}


def cell_states(df: pd.DataFrame) -> list[str]:
    """The matrix state of each row (vocab.OBJECTIVE_CELL_STATES): queries.objective_cells'
    cell_state, else the build's status read as covered / gap / too little text."""
    if "cell_state" in df.columns:
        return [str(v) for v in df["cell_state"]]
    return [_STATUS_CELL.get(str(v), str(v)) for v in df["status"]]


def objective_coverage_matrix(df: pd.DataFrame, selected: str | None = None) -> go.Figure:
    """GCM objectives x session from queries.objective_cells: covered cells shaded by the
    number of text units that map to the objective (the number written in the cell); "gap"
    (orange) only where the session has text enough to judge and none maps to the objective;
    "too little text" (grey, written "few") where the session's texts are a theme and titles.
    Columns name the session's number of texts. Each cell is selectable (customdata ['o',
    objective, session_number]); `selected` ('o13-s3') is outlined."""
    from gcmdash.views.tables import cell_key

    objectives = df[["objective", "short_title"]].drop_duplicates().sort_values("objective")
    y_labels = [wrapped_label(f"{int(o)} · {t}", _OBJECTIVE_WRAP)
                for o, t in zip(objectives["objective"], objectives["short_title"])]
    y_of = dict(zip(objectives["objective"], y_labels))
    row_of = {o: i for i, o in enumerate(objectives["objective"])}
    sessions, x_labels = _session_columns(df)
    states = cell_states(df)
    layers = {s: [[None] * len(sessions) for _ in y_labels]
              for s in vocab.values(vocab.OBJECTIVE_CELL_STATES)}
    top = max([int(v) for v, st in zip(df["unit_count"], states) if st == "covered"], default=1)
    xs, ys, hovers, custom, shapes, annotations = [], [], [], [], [], []
    for r, state in zip(df.itertuples(index=False), states):
        i, j = row_of[r.objective], sessions.index(int(r.session_number))
        x, y = x_labels[j], y_of[r.objective]
        if state == "covered":
            layers["covered"][i][j] = int(r.unit_count)
            annotations.append(_cell_text(x, y, str(int(r.unit_count)),
                                          r.unit_count > 0.55 * top))
            detail = (f"covered: {int(r.unit_count)} text unit(s), "
                      f"{int(r.recommendation_count)} recommendation(s)")
        elif state == "gap":
            layers["gap"][i][j] = 1
            annotations.append(_cell_text(x, y, "gap", False))
            detail = (f"gap: none of the session's {int(r.session_unit_count)} text unit(s) "
                      f"maps to it")
        else:
            layers["too_little_text"][i][j] = 1
            annotations.append(_cell_text(x, y, "few", False))
            detail = (f"too little text to judge: the record holds "
                      f"{int(r.session_unit_count)} short text(s) of this session (a theme, "
                      "panel titles), no summary or panel descriptions")
        xs.append(x)
        ys.append(y)
        hovers.append(_hover_text(f"Objective {int(r.objective)}: {r.short_title}",
                                  f"{session_label(r.session_number)}: {detail}"))
        custom.append(["o", int(r.objective), int(r.session_number)])
        if selected == cell_key("o", r.objective, r.session_number):
            shapes.append(_selected_box(j, i, len(y_labels)))
    fig = go.Figure([
        go.Heatmap(x=x_labels, y=y_labels, z=layers["covered"], colorscale=_COVERED_SCALE,
                   zmin=1, zmax=max(top, 2), xgap=2, ygap=2, hoverinfo="skip",
                   name="covered", showscale=False),
        *(go.Heatmap(x=x_labels, y=y_labels, z=layers[state],
                     colorscale=[[0, _CELL_COLOURS[state]], [1, _CELL_COLOURS[state]]], xgap=2,
                     ygap=2, hoverinfo="skip", name=_CELL_LABELS[state], showscale=False)
          for state in ("gap", "too_little_text")),
        _selectable_points(xs, ys, hovers, custom),
    ])
    fig.update_layout(title={"text": "GCM objectives covered by each session"}, shapes=shapes,
                      annotations=annotations, **_cell_grid(x_labels, y_labels, 44))
    covered = df[[st == "covered" for st in states]]
    n_gaps = states.count("gap")
    per_session = [f"{session_label(n)} covers {int((covered['session_number'] == n).sum())}"
                   for n in sessions]
    never = sorted(set(objectives["objective"]) - set(covered["objective"]))
    alt = (f"Matrix of {len(y_labels)} GCM objectives by {len(sessions)} sessions: "
           f"{len(covered)} cells covered, {n_gaps} gaps, "
           f"{states.count('too_little_text')} with too little text to judge. "
           + "; ".join(per_session) + f" of {len(y_labels)} objectives."
           + (f" Objectives no session covers: {', '.join(str(int(o)) for o in never)}."
              if never else ""))
    return _with_alt(fig, alt)


def selected_cell(points: list[dict] | None) -> str | None:
    """The cell a plotly selection event picked on topic_session_heatmap or
    objective_coverage_matrix ('t8-s3' / 'o13-s3'), from the first point's customdata; None
    when the selection holds no cell."""
    from gcmdash.views.tables import cell_key

    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, (list, tuple)) and len(data) == 3 and data[0] in ("t", "o"):
            try:
                return cell_key(str(data[0]), int(data[1]), int(data[2]))
            except (TypeError, ValueError):
                continue
    return None


# --------------------------------------------------------------------------- data & method

def model_selection_chart(df: pd.DataFrame) -> go.Figure:
    """Stability of each candidate number of topics from queries.topic_model_selection; the
    chosen k is highlighted and labelled."""
    ks = [int(k) for k in df["n_topics"]]
    stability = [float(s) for s in df["stability"]]
    chosen = [bool(c) for c in df["chosen"]]
    # On a 390 px phone two dozen bars are 10 px wide: a value over each shrank to a blur and
    # every k on the axis overprinted its neighbours. The chosen bar's value is said above the
    # bars, pointing at it; the axis names every fifth k and the chosen one; every value is in
    # the hover and the table.
    ticks = sorted({k for k in ks if k % 5 == 0} | {k for k, c in zip(ks, chosen) if c})
    picked = [dict(x=k, y=s, text=f"chosen: k = {k}, {s:.3f}", showarrow=True, arrowhead=0,
                   ax=0, ay=-48, font={"size": 12}) for k, s, c in zip(ks, stability, chosen)
              if c]
    fig = go.Figure(go.Bar(
        x=ks, y=stability, marker_color=["#D55E00" if c else "#56B4E9" for c in chosen],
        hovertext=[_hover_text(f"k = {k}: stability {s:.4f}" + (" (chosen)" if c else ""))
                   for k, s, c in zip(ks, stability, chosen)],
        hovertemplate="%{hovertext}<extra></extra>", name="stability"))
    fig.update_layout(
        title={"text": "How the number of topics was chosen:<br>stability across subsamples"},
        template="plotly_white", height=380, showlegend=False, annotations=picked,
        margin={"t": 80, "l": 60, "r": 20},
        xaxis={"title": {"text": "Number of topics (k)"}, "tickmode": "array",
               "tickvals": ticks, "tickangle": 0},
        yaxis={"title": {"text": "Mean adjusted Rand index"},
               "range": [min(0, min(stability, default=0)), 1.05]},
    )
    alt = (f"Bar chart of the stability of each candidate number of topics, k = "
           f"{min(ks, default=0)} to {max(ks, default=0)}; chosen: "
           + (", ".join(f"k = {k} (stability {s:.3f})" for k, s, c in
                        zip(ks, stability, chosen) if c) or "none") + ".")
    return _with_alt(fig, alt)


# --------------------------------------------------------------------------- participation trend

_PANEL_HEIGHT = 150       # px per measure panel of the participation trend
_PANEL_COLOUR = "#0072B2"  # Okabe-Ito blue: 5:1 on white, 3.6:1 on the dark background
_OPEN_ENDED = "triangle-up"  # the marker on an "over N" bar: the count goes on above it
_SHORT_SESSION = {n: ("Stocktaking" if n == vocab.STOCKTAKING_SESSION else f"S{n}")
                  for n in vocab.values(vocab.SESSIONS)}


def short_session_label(session_number: int) -> str:
    """'S3' for Session 3, 'Stocktaking' for the stocktaking meeting (narrow axes)."""
    return _SHORT_SESSION.get(int(session_number), session_label(session_number))


def _stated_counts(row) -> list[tuple[object, object, str, int]]:
    """(value, qualifier, source label, how many sources) of one matrix row: the first source's
    count, then each differing or repeated count other sources state, in source order."""
    if _missing(row.value):
        return []
    counts = [(row.value, row.qualifier, str(row.source_label), 1)]
    for other in as_list(row.other_sources):
        labels = as_list(other["source_labels"])
        counts.append((other["value"], other["qualifier"], str(labels[0]) if labels else "",
                       int(other["source_count"])))
    return counts


def _panel_bars(label: str, rows: pd.DataFrame, slot: dict[int, int]) -> tuple[list, list]:
    """The traces (bars, then open-ended markers), 'not reported' annotations and shared value
    labels of one measure's panel; x is the session's slot, each source's count side by side
    within it. Bars side by side are too narrow for a label each ("136136" on a phone): their
    slot gets one label over the pair, each distinct count once, on a line of its own."""
    bars: dict[int, dict[str, list]] = {}
    open_x, open_y, open_hover, missing, shared = [], [], [], [], []
    for row in rows.itertuples(index=False):
        n = int(row.session_number)
        counts = _stated_counts(row)
        if not counts:
            missing.append(slot[n])
            continue
        if len(counts) > 1:
            texts = list(dict.fromkeys(format_count(v, q) for v, q, _, _ in counts))
            shared.append((slot[n], max(int(v) for v, _, _, _ in counts),
                           "<br>".join(html.escape(t, quote=False) for t in texts)))
        width = 0.8 / len(counts)
        for k, (value, qualifier, source, source_count) in enumerate(counts):
            text = format_count(value, qualifier)
            x = round(slot[n] - 0.4 + width * (k + 0.5), 6)
            more = f" (and {source_count - 1} more)" if source_count > 1 else ""
            open_ended = qualifier == "more_than"
            hover = _hover_text(
                f"{session_label(n)} · {label}: {text}",
                *(["Open-ended: the source says only that it was more"] if open_ended else []),
                f"Source: {source}{more}",
                *([f"One of {len(counts)} sources' counts, side by side"] if len(counts) > 1
                  else []))
            bar = bars.setdefault(k, {"x": [], "y": [], "text": [], "hovertext": [],
                                      "pattern": [], "width": []})
            bar["x"].append(x)
            bar["y"].append(int(value))
            bar["text"].append(text if len(counts) == 1 else "")
            bar["hovertext"].append(hover)
            bar["pattern"].append("/" if open_ended else "")
            bar["width"].append(width * 0.9)
            if open_ended:
                open_x.append(x)
                open_y.append(int(value))
                open_hover.append(hover)
    return [(k, b) for k, b in sorted(bars.items())], [(open_x, open_y, open_hover), missing,
                                                        shared]


def participation_panels(matrix: pd.DataFrame) -> go.Figure:
    """Small multiples from queries.participation_matrix: one panel per measure, each on its own
    scale, sessions in time order along x. Bars are labelled as stated ("110", "over 120"); an
    "over N" bar is hatched and topped by an upward triangle (open-ended), its hover says so; a
    count the record lacks is a gap with the words "not reported" in it; where several sources
    state a count (the stocktaking's chair's summary and press release), their bars stand side
    by side, the first source solid, the others lighter, each hover naming its source."""
    from plotly.subplots import make_subplots

    session_numbers = sorted(int(n) for n in matrix["session_number"].unique())
    slot = {n: i for i, n in enumerate(session_numbers)}
    measures = list(dict.fromkeys(str(m) for m in matrix["measure"]))
    fig = make_subplots(rows=max(len(measures), 1), cols=1, shared_xaxes=False,
                        vertical_spacing=min(0.35 / max(len(measures), 1), 0.08),
                        subplot_titles=[html.escape(measure_label(m), quote=False)
                                        for m in measures] or [""])
    annotations: list[dict] = []
    for i, measure in enumerate(measures, start=1):
        label = measure_label(measure)
        rows = matrix[matrix["measure"] == measure]
        colour = _PANEL_COLOUR  # the panel's title names the measure: one colour for all
        traces, (open_marks, missing, shared) = _panel_bars(label, rows, slot)
        for k, bar in traces:
            fig.add_trace(go.Bar(
                x=bar["x"], y=bar["y"], width=bar["width"], text=bar["text"],
                name=label if k == 0 else f"{label} (another source)",
                textposition="outside", textangle=0, cliponaxis=False,
                textfont={"size": 10 if len(traces) > 1 else 12},
                constraintext="none", hovertext=bar["hovertext"],
                hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                marker={"color": colour, "opacity": 1.0 if k == 0 else 0.55,
                        "pattern": {"shape": bar["pattern"], "fgcolor": "#ffffff",
                                    "size": 6}}), row=i, col=1)
        xs, ys, hovers = open_marks
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="markers", name=f"{label}: open-ended (over N)",
                marker={"symbol": _OPEN_ENDED, "size": 11, "color": colour,
                        "line": {"color": "#000000", "width": 1}},
                hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False, cliponaxis=False), row=i, col=1)
        axis = "" if i == 1 else str(i)
        for x in missing:
            annotations.append(dict(x=x, y=0, xref=f"x{axis}", yref=f"y{axis}",
                                    text=NOT_REPORTED.replace(" ", "<br>"), showarrow=False,
                                    yanchor="bottom", font=_MISSING_FONT))
        for x, top_value, text in shared:
            annotations.append(dict(x=x, y=top_value, xref=f"x{axis}", yref=f"y{axis}",
                                    text=text, showarrow=False, yanchor="bottom", font={"size": 11}))
        top = max([int(v) for v in rows["value"].dropna()]
                  + [int(o["value"]) for r in rows["other_sources"] for o in as_list(r)],
                  default=0)
        # No vertical lines: x is a session's slot, so x's zero line ran up through S1 (seen
        # where S1 is "not reported"), and plotly.js turns an axis line on once themed() sets
        # its colour, which drew the y axis as a rule left of S1. Both stay off explicitly.
        # a panel with no count has no scale to read: its top tick printed into its title
        fig.update_yaxes(range=[0, max(top * 1.45, 4)], nticks=3, rangemode="tozero",
                         fixedrange=True, showline=False, showticklabels=top > 0, row=i, col=1)
        fig.update_xaxes(tickmode="array", tickvals=list(slot.values()),
                         ticktext=[short_session_label(n) for n in session_numbers],
                         range=[-0.5, len(session_numbers) - 0.5], showgrid=False,
                         zeroline=False, showline=False, fixedrange=True, row=i, col=1)
    # the subplot titles, left-aligned over their panel (assigned whole: update_layout would
    # merge the list into the titles element by element)
    fig.layout.annotations = [dict(a.to_plotly_json(), x=0, xanchor="left", font={"size": 13})
                              for a in fig.layout.annotations] + annotations
    fig.update_layout(
        title={"text": "Participation, one measure per panel"},
        template="plotly_white", height=90 + _PANEL_HEIGHT * max(len(measures), 1),
        margin={"t": 70, "l": 40, "r": 10, "b": 30},
        showlegend=False, bargap=0, barmode="overlay", uniformtext={"minsize": 9})
    stated = []
    for measure in measures:
        parts = [f"{session_label(r.session_number)} "
                 + " and ".join(format_count(v, q) for v, q, _, _ in _stated_counts(r))
                 for r in matrix[matrix["measure"] == measure].itertuples(index=False)
                 if not _missing(r.value)]
        silent = [n for n in session_numbers if n not in set(
            matrix.loc[(matrix["measure"] == measure) & matrix["value"].notna(),
                       "session_number"].astype(int))]
        stated.append(f"{measure_label(measure)}: " + (", ".join(parts) or NOT_REPORTED)
                      + (f" (not reported: {_sessions_list(silent)})" if parts and silent
                         else ""))
    alt = ("Small multiples of participation counts as stated, one panel per measure on its "
           "own scale, sessions in time order. " + "; ".join(stated) + ".")
    return _with_alt(fig, alt)


_SHARE_TEXT = {"female": "#000000", "male": "#ffffff", "unknown": "#000000"}
_SHARE_WORDS = {"female": "women", "male": "men", "unknown": "not stated"}


def women_share_chart(df: pd.DataFrame) -> go.Figure:
    """From queries.panel_gender: per session (time order, top down), the persons on its panels
    (panelists and moderators) as 100% bars of women, men and not stated (the honorific says
    neither Ms. nor Mr.), each segment labelled with its count, and beside each bar the share of
    women with its denominator ("4 of 6 women, 67%"). A session with nobody on a panel in the
    record is written as such, never drawn as 0%."""
    rows = list(df.itertuples(index=False))
    y_labels = [session_label(r.session_number) for r in rows]
    fig = go.Figure()
    for gender in ("female", "male", "unknown"):
        xs, ys, texts, hovers = [], [], [], []
        for r, y in zip(rows, y_labels):
            if _missing(r.person_count) or not int(r.person_count):
                continue
            count, total = int(getattr(r, f"{gender}_count")), int(r.person_count)
            if not count:
                continue
            xs.append(count / total)
            ys.append(y)
            texts.append(str(count))
            hovers.append(_hover_text(f"{y}: {count} of {total} on the panels "
                                      f"{_SHARE_WORDS[gender]} ({count / total:.0%})"))
        fig.add_trace(go.Bar(
            x=xs, y=ys, orientation="h", name=GENDER_LABELS[gender], text=texts,
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont={"color": _SHARE_TEXT[gender], "size": 12},
            marker={"color": _GENDER_COLOURS[gender],
                    "line": {"color": "#ffffff", "width": 1}},
            hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>"))
    annotations, said = [], []
    for r, y in zip(rows, y_labels):
        if _missing(r.person_count) or not int(r.person_count):
            annotations.append(dict(x=0, y=y, xanchor="left", showarrow=False,
                                    text=NO_SPEAKER_LIST, font=_MISSING_FONT))
            said.append(f"{y}: {NO_SPEAKER_LIST}")
            continue
        women, total, unknown = int(r.female_count), int(r.person_count), int(r.unknown_count)
        words = f"{women} of {total} women ({women / total:.0%})" + (
            f", {unknown} not stated" if unknown else "")
        said.append(f"{y}: {words}")
        annotations.append(dict(x=1.01, y=y, xref="paper", xanchor="left", showarrow=False,
                                text=html.escape(f"{women} of {total}", quote=False)
                                + f"<br>{women / total:.0%}", font={"size": 11}, align="left"))
    fig.update_layout(
        title={"text": "Women among panelists and moderators"}, template="plotly_white",
        barmode="stack", height=170 + 44 * max(len(rows), 1), annotations=annotations,
        margin={"t": 50, "l": 10, "r": 60, "b": 110},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0,
                "traceorder": "normal"},
        xaxis={"range": [0, 1], "tickformat": ".0%", "dtick": 0.25, "fixedrange": True},
        yaxis={"categoryorder": "array", "categoryarray": y_labels[::-1], "automargin": True,
               "fixedrange": True},
    )
    alt = ("Bar chart of the share of women among each session's panelists and moderators, "
           "by the honorific listed (Ms. or Mr.; anything else not stated). "
           + "; ".join(said) + ".")
    return _with_alt(fig, alt)


# --------------------------------------------------------------------------- images

IMAGE_FORMATS = {"png": "PNG", "svg": "SVG"}


def image_file_name(fig: go.Figure) -> str:
    """A chart's download name from its title: 'gcm-participation-one-measure-per-panel'."""
    import re

    title = html.unescape(re.sub(r"<[^>]+>", " ", str(fig.layout.title.text or "chart")))
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "gcm-" + "-".join(words[:8] or ["chart"])


def image_options(fig: go.Figure, image_format: str = "png") -> dict:
    """plotly.js toImageButtonOptions / Plotly.downloadImage options for the chart: the format
    (png or svg), its file name, and a PNG at twice the screen's resolution."""
    fmt = image_format if image_format in IMAGE_FORMATS else "png"
    return {"format": fmt, "filename": image_file_name(fig), "scale": 2 if fmt == "png" else 1}


# --------------------------------------------------------------------------- light and dark

@dataclass(frozen=True)
class Palette:
    """A chart's neutral colours on one background; every text colour at WCAG AA (4.5:1) or
    better on `background` (tests/dashboard/test_charts.py measures them)."""

    background: str
    text: str      # titles, outside bar values, annotations without a colour of their own
    ticks: str     # axis tick labels
    muted: str     # "not reported", "no list of speakers"
    grid: str


_PLAIN_TEXT = "#333333"  # a label's colour that means "the page's text", not a chosen one


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple))


LIGHT = Palette(background="#FFFFFF", text="#1A1A1A", ticks="#3D3D3D", muted="#595959",
                grid="#E5E5E5")
DARK = Palette(background="#0E1117", text="#F2F2F2", ticks="#D0D0D0", muted="#B3B3B3",
               grid="#30343C")


def themed(fig: go.Figure, dark: bool = False) -> go.Figure:
    """A copy of the figure on its own light or dark background, with the palette's text, tick
    and grid colours, so its contrast holds whatever page it sits on. Colours a chart chose
    for a cell or a bar's inside (heat map values, stacked counts) are kept."""
    palette = DARK if dark else LIGHT
    out = go.Figure(fig)
    if dark:  # the charts are drawn on plotly_white; swapping templates costs ~20 ms a chart
        out.update_layout(template="plotly_dark")
    out.update_layout(paper_bgcolor=palette.background, plot_bgcolor=palette.background,
                      font={"color": palette.text}, title_font_color=palette.text,
                      legend_font_color=palette.text)
    out.update_xaxes(tickfont_color=palette.ticks, title_font_color=palette.text,
                     gridcolor=palette.grid, linecolor=palette.grid, zerolinecolor=palette.grid)
    out.update_yaxes(tickfont_color=palette.ticks, title_font_color=palette.text,
                     gridcolor=palette.grid, linecolor=palette.grid, zerolinecolor=palette.grid)
    for annotation in out.layout.annotations:
        colour = annotation.font.color
        if colour is None or colour.lower() == _PLAIN_TEXT:
            annotation.font.color = palette.text
        elif colour.lower() == _MISSING_FONT["color"]:
            annotation.font.color = palette.muted
        if annotation.showarrow is not False:  # the pointer to the chosen k: drawn as its text
            annotation.arrowcolor = annotation.font.color or palette.text
    for trace in out.data:
        if trace.type == "bar" and trace.textposition == "outside" and not _is_list(
                trace.textfont.color):
            trace.textfont.color = palette.text
        if trace.type == "bar" and trace.marker.line.color == "white":
            trace.marker.line.color = palette.background
    return out
