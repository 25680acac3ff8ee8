"""Charts: pure functions, query DataFrame in -> plotly Figure out. No Streamlit, no SQL.

The same functions draw the app, the notebooks and the published site. A count the record
lacks is never drawn as a zero bar: it is written "not reported" where its bar would be.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from dashboard.tables import (
    GENDER_LABELS,
    NO_SPEAKER_LIST,
    NOT_IN_RECORD,
    NOT_REPORTED,
    format_count,
    measure_label,
    organisation_label,
    role_label,
    session_label,
)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
_MEASURE_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                    "#000000")
_GENDER_COLOURS = {"female": "#CC79A7", "male": "#0072B2", "unknown": "#999999"}
_MISSING_FONT = {"size": 11, "color": "#666666"}
_GROUP_WIDTH = 0.8  # share of one session's slot taken by its group of bars


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
            for other in (row.other_sources if isinstance(row.other_sources, list) else []):
                lines.append(f"Also stated: {format_count(other['value'], other['qualifier'])}"
                             f" ({other['source_label']})")
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
    return fig


def panel_composition_chart(df: pd.DataFrame) -> go.Figure:
    """Stacked bars from queries.panel_composition: one bar per session and role, stacked by
    gender as listed, sessions side by side under their names. A session with nobody listed
    gets "no list of speakers in the record" where its bars would be."""
    fig = go.Figure()
    annotations: list[dict] = []
    shapes: list[dict] = []
    tickvals: list[float] = []
    ticktext: list[str] = []
    bars: dict[str, dict[str, list]] = {
        g: {"x": [], "y": [], "text": [], "hovertext": []} for g in _GENDER_COLOURS}
    position = 0.0
    session_numbers = sorted(int(n) for n in df["session_number"].unique())
    for k, n in enumerate(session_numbers):
        if k:  # a thin rule between sessions
            shapes.append(dict(type="line", xref="x", yref="paper", x0=position - 0.75,
                               x1=position - 0.75, y0=0, y1=1,
                               line={"color": "#dddddd", "width": 1}))
        rows = df[(df["session_number"] == n) & df["role"].notna()]
        first = position
        if rows.empty:
            annotations.append(dict(
                x=position, y=0, text=NO_SPEAKER_LIST.replace(" of ", "<br>of ", 1)
                .replace(" in ", "<br>in ", 1), showarrow=False, xanchor="center",
                yanchor="bottom", font=_MISSING_FONT))
            tickvals.append(position)
            ticktext.append("")
            position += 1
        for row in rows.itertuples(index=False):
            role = role_label(row.role)
            tickvals.append(position)
            ticktext.append(role)
            for gender in _GENDER_COLOURS:
                count = int(getattr(row, f"{gender}_count"))
                if count == 0:  # no empty segments
                    continue
                bars[gender]["x"].append(position)
                bars[gender]["y"].append(count)
                bars[gender]["text"].append(str(count))
                bars[gender]["hovertext"].append(_hover_text(
                    f"{session_label(n)} · {role}",
                    f"{GENDER_LABELS[gender]}: {count} person(s)"))
            position += 1
        annotations.append(dict(
            x=(first + position - 1) / 2, y=1, yref="paper", yanchor="bottom", xanchor="center",
            text=f"<b>{session_label(n)}</b>", showarrow=False, font={"size": 13}))
        position += 0.5

    for gender, trace in bars.items():
        fig.add_trace(go.Bar(
            **trace, name=GENDER_LABELS[gender], marker_color=_GENDER_COLOURS[gender],
            textposition="inside", width=0.8, hovertemplate="%{hovertext}<extra></extra>"))
    if not session_numbers:
        annotations.append(dict(text=NO_SPEAKER_LIST, showarrow=False, xref="paper",
                                yref="paper", x=0.5, y=0.5, font=_MISSING_FONT))
    top = max([int(v) for v in df["person_count"].dropna()], default=0)
    fig.update_layout(
        title={"text": "Who had a role in each session, by gender as listed"},
        template="plotly_white", barmode="stack", height=480, margin={"t": 120},
        annotations=annotations, shapes=shapes,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.1, "x": 0,
                "traceorder": "normal"},
        xaxis={"tickmode": "array", "tickvals": tickvals, "ticktext": ticktext,
               "tickangle": -30, "showgrid": False, "range": [-0.7, max(position - 0.7, 0.7)]},
        yaxis={"title": {"text": "Persons"}, "rangemode": "tozero",
               "dtick": 1 if top <= 10 else None, "range": [0, max(top * 1.1, 3)]},
    )
    return fig


_ORGANISATION_COLOURS = {
    "government": "#0072B2", "un_system": "#56B4E9", "other_intergovernmental": "#009E73",
    "academia_research": "#E69F00", "civil_society_ngo": "#CC79A7", "private_sector": "#D55E00",
    "other": "#999999",
}


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
    annotations = [dict(x=position[n], y=0, showarrow=False, yanchor="bottom", font=_MISSING_FONT,
                        text=NO_SPEAKER_LIST.replace(" of ", "<br>of ", 1).replace(" in ", "<br>in ", 1))
                   for n in session_numbers if n not in listed]
    fig.update_layout(
        title={"text": "Who had a role in each session, by kind of organisation"},
        template="plotly_white", barmode="stack", height=440, annotations=annotations,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "traceorder": "normal"},
        xaxis={"tickmode": "array", "tickvals": list(position.values()),
               "ticktext": [session_label(n) for n in session_numbers],
               "range": [-0.5, len(session_numbers) - 0.5], "showgrid": False},
        yaxis={"title": {"text": "Persons"}, "rangemode": "tozero"},
    )
    return fig
