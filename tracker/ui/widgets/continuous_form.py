"""The forecast form of a numeric or date question, Metaculus-style: five percentile handles
(10/25/50/75/90) or a mixture of one to three logistic components (centre, spread, weight),
drawn live as a PDF and a CDF with the median and 80 % interval in words.

The preview is built by the same function the forecast service checks with
(`quantities.forecast_cdf`), so what is drawn is what is saved. As with ordered bins, a first
forecast starts from no forecast of yours: Save stays off until a handle has been moved.
"""

from datetime import date

import streamlit as st

from tracker.quantities import forecast_cdf, iso_date
from tracker.schemas import ComponentSpec, QuestionRead
from tracker.scoring.continuous_build import quantiles
from tracker.ui.widgets.continuous_charts import cdf_chart, in_words, pdf_chart
from tracker.ui.widgets.forecast_form import save_forecast
from tracker.ui.widgets.render import esc

LEVELS = (10, 25, 50, 75, 90)
MODES = ("Percentiles", "Mixture")
MAX_COMPONENTS = 3


def _key(qid: str, part: str) -> str:
    return f"fc_{part}_{qid}"


def handle_key(qid: str, level: int) -> str:
    return _key(qid, f"p{level}")


def component_key(qid: str, index: int, part: str) -> str:
    """part: 'centre', 'spread' or 'weight'."""
    return _key(qid, f"c{index}{part}")


def mode_key(qid: str) -> str:
    return _key(qid, "mode")


def count_key(qid: str) -> str:
    return _key(qid, "ncomp")


def touched_key(qid: str) -> str:
    return _key(qid, "touched")


def _touch(qid: str) -> None:
    st.session_state[touched_key(qid)] = True


def _starts(question: QuestionRead, standing: list[float] | None) -> list[float]:
    """Where the five handles start: the standing forecast's percentiles (clipped to the range
    when they lie beyond an open bound), else evenly spread over the range."""
    assert question.range is not None
    rng = question.range.scoring_range()
    if standing:
        values = quantiles(rng, standing, [lv / 100 for lv in LEVELS])
        return [min(max(float(v), rng.lower), rng.upper) for v in values]
    return [float(v) for v in rng.value([lv / 100 for lv in LEVELS])]


def _shown(question: QuestionRead, value: float) -> float | date:
    """A value as its input widget holds it: a float, or a date for a date question."""
    if question.type == "date":
        return date.fromisoformat(iso_date(round(value))[:10])
    return _round(value)


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def _raw(question: QuestionRead, held: object) -> float | str:
    """A widget's value as the forecast takes it: a number or an ISO date."""
    if isinstance(held, date):
        return held.isoformat()
    return float(held)  # type: ignore[arg-type]


def _value_input(question: QuestionRead, label: str, key: str, qid: str) -> None:
    if question.type == "date":
        st.date_input(
            label,
            key=key,
            on_change=_touch,
            args=(qid,),
            min_value=date(1900, 1, 1),
            max_value=date(2200, 12, 31),
        )
    else:
        st.number_input(label, key=key, on_change=_touch, args=(qid,), format="%g")


def _init(question: QuestionRead, standing: list[float] | None) -> None:
    qid = question.id
    st.session_state.setdefault(touched_key(qid), bool(standing))
    for level, value in zip(LEVELS, _starts(question, standing), strict=True):
        st.session_state.setdefault(handle_key(qid, level), _shown(question, value))
    assert question.range is not None
    rng = question.range.scoring_range()
    spread = rng.value(0.6) - rng.value(0.5)
    for i, centre in enumerate(rng.value([0.5, 0.3, 0.7])):
        st.session_state.setdefault(component_key(qid, i, "centre"), _shown(question, centre))
        st.session_state.setdefault(component_key(qid, i, "spread"), _round(float(spread)))
        st.session_state.setdefault(component_key(qid, i, "weight"), 1.0)


def _percentile_inputs(question: QuestionRead) -> dict:
    qid = question.id
    unit = question.range.unit if question.range else ""
    st.caption(
        "Where the outcome has a 10 %, 25 %, 50 % (median), 75 % and 90 % chance of falling "
        "below" + (f" (in {esc(unit)})." if unit else ".")
    )
    columns = st.columns(len(LEVELS))
    for column, level in zip(columns, LEVELS, strict=True):
        with column:
            _value_input(question, f"{level}th", handle_key(qid, level), qid)
    handles = {
        float(level): _raw(question, st.session_state[handle_key(qid, level)]) for level in LEVELS
    }
    return {"percentiles": handles}


def _mixture_inputs(question: QuestionRead) -> dict:
    qid = question.id
    n = st.radio(
        "Components", [1, 2, 3], horizontal=True, key=count_key(qid), on_change=_touch, args=(qid,)
    )
    spread_unit = "days" if question.type == "date" else "units"
    parts = []
    for i in range(int(n)):
        cols = st.columns([2, 2, 1])
        with cols[0]:
            _value_input(question, f"Centre {i + 1}", component_key(qid, i, "centre"), qid)
        cols[1].number_input(
            f"Spread {i + 1} (to the quartiles, {spread_unit})",
            key=component_key(qid, i, "spread"), on_change=_touch, args=(qid,), format="%g",
        )  # fmt: skip
        cols[2].number_input(
            f"Weight {i + 1}", key=component_key(qid, i, "weight"), on_change=_touch,
            args=(qid,), format="%g", step=0.5,
        )  # fmt: skip
        parts.append(
            {
                "centre": _raw(question, st.session_state[component_key(qid, i, "centre")]),
                "spread": float(st.session_state[component_key(qid, i, "spread")]),
                "weight": float(st.session_state[component_key(qid, i, "weight")]),
            }
        )
    return {"components": parts}


def preview(question: QuestionRead, given: dict) -> list[float]:
    """The CDF the inputs describe, checked as the service checks it (ValueError in words)."""
    assert question.range is not None
    if "components" in given:
        comps = [ComponentSpec.model_validate(c) for c in given["components"]]
        return forecast_cdf(question.type, question.range, components=comps)
    return forecast_cdf(question.type, question.range, percentiles=given["percentiles"])


def _problem(exc: ValueError) -> str:
    import pydantic

    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        field = str(first["loc"][-1]) if first["loc"] else "value"
        return f"{field}: {first['msg'].lower()}"
    return str(exc)


def distribution_inputs(
    question: QuestionRead, standing: list[float] | None
) -> tuple[dict, list[float] | None]:
    """The inputs and the live charts; returns (what to send, the CDF it makes or None)."""
    qid = question.id
    _init(question, standing)
    mode = st.segmented_control(
        "Enter your forecast as", MODES, default=MODES[0], key=mode_key(qid), on_change=_touch,
        args=(qid,),
    )  # fmt: skip
    given = _mixture_inputs(question) if mode == "Mixture" else _percentile_inputs(question)
    try:
        cdf = preview(question, given)
    except ValueError as exc:
        st.error(f"Cannot draw this distribution: {esc(_problem(exc))}.", icon="🚫")
        return given, None
    series = {"Your draft": cdf}
    st.altair_chart(pdf_chart(question, series), width="stretch", key=_key(qid, "pdf"))
    st.altair_chart(cdf_chart(question, series), width="stretch", key=_key(qid, "cdf"))
    st.caption(f"Your distribution: {esc(in_words(question, cdf))}.")
    return given, cdf


def continuous_form(
    question: QuestionRead,
    standing: list[float] | None,
    summary_id: int | None,
    session_id: int | None = None,
) -> None:
    """Render the form; on a valid save, log the forecast and rerun with a confirmation."""
    qid = question.id
    rationale = _key(qid, "rationale")
    if st.session_state.pop(_key(qid, "clear"), False):
        st.session_state[rationale] = ""
    given, cdf = distribution_inputs(question, standing)
    touched = bool(st.session_state.get(touched_key(qid)))
    if cdf is not None and not touched:
        st.info("Move a handle to make this your forecast; nothing is filled in for you.")
    st.text_area(
        "Rationale",
        key=rationale,
        placeholder="What moved you? Which evidence, base rate or reasoning? "
        "Your teammates read this in the weekly review.",
        height=110,
    )
    valid = cdf is not None and touched
    label = "Update forecast" if standing else "Save forecast"
    if not st.button(label, type="primary", disabled=not valid, key=_key(qid, "save")):
        return
    if not valid:  # a disabled button cannot be clicked in a browser; scripted clients can
        st.error("Fix the distribution above before saving.")
        return
    saved = f"Forecast saved: {esc(in_words(question, cdf))}."  # type: ignore[arg-type]
    save_forecast(qid, given, summary_id, session_id, saved)
