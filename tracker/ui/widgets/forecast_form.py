"""The forecast update form: a binary slider kept in sync with a number box, or one percent box
per option with a live sum that must reach 100% before saving.

Widget values live in session state keyed by question, initialised from the user's standing
forecast, so reruns never reset what the user is typing.
"""

import math
from collections.abc import Sequence

import streamlit as st

from tracker.errors import TrackerError, parse
from tracker.schemas import ForecastCreate, QuestionRead
from tracker.scoring.quantile_bins import bins_from_quantiles, quantile_bins
from tracker.services import forecasts
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets import charts
from tracker.ui.widgets.render import flash, ordered_summary, show_error, widget_label

SUM_TOLERANCE = 0.001  # percent points: float noise only, the boxes step by 0.1


def _key(question_id: str, part: str) -> str:
    return f"fc_{part}_{question_id}"


def option_key(question_id: str, index: int) -> str:
    return _key(question_id, f"opt{index}")


def binary_keys(question_id: str) -> tuple[str, str]:
    return _key(question_id, "slider"), _key(question_id, "number")


def rationale_key(question_id: str) -> str:
    return _key(question_id, "rationale")


def percent_sum(values: Sequence[float]) -> float:
    return math.fsum(values)


def sums_to_100(values: Sequence[float]) -> bool:
    return abs(percent_sum(values) - 100.0) <= SUM_TOLERANCE


def scaled_to_100(values: Sequence[float]) -> list[float]:
    """Rescale to sum to exactly 100 at one decimal (the remainder goes to the largest)."""
    total = percent_sum(values)
    if total <= 0:
        share = [100.0 / len(values)] * len(values)
    else:
        share = [v * 100.0 / total for v in values]
    rounded = [round(v, 1) for v in share]
    largest = max(range(len(rounded)), key=lambda i: rounded[i])
    rounded[largest] = round(rounded[largest] + 100.0 - math.fsum(rounded), 1)
    return rounded


def _init(question: QuestionRead, standing: dict[str, float] | None) -> None:
    qid = question.id
    if question.type == "binary":
        slider, number = binary_keys(qid)
        if number not in st.session_state:
            p = round(100 * standing["Yes"], 1) if standing else 50.0
            st.session_state[number] = p
            st.session_state[slider] = round(p)
        return
    n = len(question.options)
    initial = (
        scaled_to_100([100 * standing.get(o, 0.0) for o in question.options])
        if standing
        else scaled_to_100([1.0] * n)
    )
    for i, value in enumerate(initial):
        st.session_state.setdefault(option_key(qid, i), value)


def _sync_from_slider(qid: str) -> None:
    slider, number = binary_keys(qid)
    st.session_state[number] = float(st.session_state[slider])


def exact_percent_problem(value: float | None) -> str | None:
    """Why an 'Exact %' entry cannot be saved, in words (None when it can)."""
    if value is None:
        return "Exact %: enter a number from 0 to 100."
    if not 0.0 <= value <= 100.0:
        return f"Exact %: {value:g} is not a percentage; enter a number from 0 to 100."
    return None


def _sync_from_number(qid: str) -> None:
    slider, number = binary_keys(qid)
    if exact_percent_problem(st.session_state[number]) is None:
        st.session_state[slider] = round(st.session_state[number])


def _rescale(qid: str, n: int) -> None:
    keys = [option_key(qid, i) for i in range(n)]
    for key, value in zip(keys, scaled_to_100([st.session_state[k] for k in keys]), strict=True):
        st.session_state[key] = value


def forecast_form(
    question: QuestionRead,
    standing: dict[str, float] | None,
    summary_id: int | None,
    session_id: int | None = None,
) -> None:
    """Render the form; on a valid save, log the forecast and rerun with a confirmation."""
    qid = question.id
    if st.session_state.pop(_key(qid, "clear"), False):
        st.session_state[rationale_key(qid)] = ""
    _init(question, standing)
    if question.type == "binary":
        probabilities, valid = _binary_inputs(qid)
    elif question.type == "ordered":
        probabilities, valid = ordered_inputs(question, standing)
    else:
        probabilities, valid = _option_inputs(question)
    st.text_area(
        "Rationale",
        key=rationale_key(qid),
        placeholder="What moved you? Which evidence, base rate or reasoning? "
        "Your teammates read this in the weekly review.",
        height=110,
    )
    label = "Update forecast" if standing else "Save forecast"
    clicked = st.button(label, type="primary", disabled=not valid, key=_key(qid, "save"))
    if not clicked:
        return
    if not valid:  # a disabled button cannot be clicked in a browser; scripted clients can
        st.error("Fix the probabilities above before saving.")
        return
    save_forecast(qid, {"probabilities": probabilities}, summary_id, session_id, "Forecast saved.")


def save_forecast(
    qid: str,
    given: dict[str, object],
    summary_id: int | None,
    session_id: int | None,
    saved: str,
) -> None:
    """Log what a form gathered (`given`: probabilities or a CDF) with the rationale typed
    beside it; on success clear the form and say `saved`, on refusal show why and keep it."""
    try:
        data = parse(
            ForecastCreate,
            {
                "question_id": qid,
                **given,
                "rationale": st.session_state.get(rationale_key(qid), ""),
                "summary_id": summary_id,
                "session_id": session_id,
            },
        )
        forecasts.log_forecast(get_db(), current_actor(), data)
    except TrackerError as exc:
        show_error(exc)
        return
    st.session_state[_key(qid, "clear")] = True
    flash(saved)
    st.rerun()


def _binary_inputs(qid: str) -> tuple[dict[str, float], bool]:
    slider, number = binary_keys(qid)
    left, right = st.columns([4, 1.3])
    left.slider(
        "Probability of Yes",
        min_value=0,
        max_value=100,
        step=1,
        format="%d%%",
        key=slider,
        on_change=_sync_from_slider,
        args=(qid,),
    )
    # No min/max on the box: Streamlit would only outline an out-of-range entry in red; the
    # message below says what is wrong instead.
    right.number_input(
        "Exact %",
        step=0.5,
        format="%.1f",
        key=number,
        on_change=_sync_from_number,
        args=(qid,),
    )
    problem = exact_percent_problem(st.session_state[number])
    if problem:
        st.error(problem, icon="🚫")
        return {}, False
    p = float(st.session_state[number]) / 100.0
    st.caption(f"Yes {100 * p:.1f}% · No {100 * (1 - p):.1f}%")
    return forecasts.binary_vector(p), True


def _option_inputs(question: QuestionRead) -> tuple[dict[str, float], bool]:
    qid = question.id
    n = len(question.options)
    st.markdown("Probability of each option, in percent")
    per_row = 2 if n % 2 == 0 and n % 3 else min(n, 3)  # 4 boxes: 2 by 2, not 3 + 1
    values = []
    for i, option in enumerate(question.options):
        if i % per_row == 0:  # a row of boxes aligned on their inputs, whatever the labels
            columns = st.columns(per_row, vertical_alignment="bottom")
        values.append(
            columns[i % per_row].number_input(
                widget_label(option),
                min_value=0.0,
                max_value=100.0,
                step=1.0,
                format="%.1f",
                key=option_key(qid, i),
            )
        )
    total = percent_sum(values)
    valid = sums_to_100(values)
    status, action = st.columns([3, 1])
    if valid:
        status.success(f"Sum: {total:.1f}% ✓", icon="✅")
    else:
        gap = 100.0 - total
        hint = f"add {gap:.1f} points" if gap > 0 else f"remove {-gap:.1f} points"
        status.error(f"Sum: {total:.1f}% — must be exactly 100% ({hint}).", icon="🚫")
        action.button(
            "Scale to 100%",
            key=_key(qid, "scale"),
            on_click=_rescale,
            args=(qid, n),
            help="Rescale your numbers proportionally so they add up to 100%.",
        )
    if total <= 0:
        return {}, False
    return {o: v / total for o, v in zip(question.options, values, strict=True)}, valid


# ------------------------------------------------------------------ ordered bins


def ordered_keys(question_id: str) -> tuple[str, str, str]:
    """(median handle, 80 % range handle, 'a handle was moved' flag)."""
    return _key(question_id, "q50"), _key(question_id, "q80"), _key(question_id, "touched")


def _touch(qid: str) -> None:
    st.session_state[ordered_keys(qid)[2]] = True


def ordered_inputs(
    question: QuestionRead, standing: dict[str, float] | None
) -> tuple[dict[str, float], bool]:
    """Percentile handles (median, 80 % range) fill the bins. A first forecast starts from no
    forecast of yours: Save stays off until a handle has been moved."""
    qid, bins = question.id, list(question.options)
    n = len(bins)
    median_key, range_key, touched_key = ordered_keys(qid)
    if standing:
        lo, median, hi = quantile_bins([standing.get(o, 0.0) for o in bins])
    else:  # where the handles start; not a forecast until one is moved
        median = (n - 1) // 2
        lo, hi = max(0, median - 1), min(n - 1, median + 1)
    st.session_state.setdefault(touched_key, bool(standing))
    name = bins.__getitem__
    # `value` only sets where a handle starts; afterwards the widget keeps the user's choice
    st.select_slider(
        "Median: the bin the outcome is as likely to fall below as above",
        options=list(range(n)), value=median, format_func=name, key=median_key,
        on_change=_touch, args=(qid,),
    )  # fmt: skip
    st.select_slider(
        "80% range: a 1-in-10 chance below it, and 1-in-10 above",
        options=list(range(n)), value=(lo, hi), format_func=name, key=range_key,
        on_change=_touch, args=(qid,),
    )  # fmt: skip
    median = st.session_state[median_key]
    lo, hi = st.session_state[range_key]
    if not lo <= median <= hi:
        st.error("Median: it must lie inside the 80% range; move one of the handles.", icon="🚫")
        return {}, False
    probs = bins_from_quantiles(n, lo, median, hi)
    vector = {o: float(p) for o, p in zip(bins, probs, strict=True)}
    st.altair_chart(charts.bin_bars(bins, probs), width="stretch")
    st.caption(f"Your distribution: {ordered_summary(vector, bins)}.")
    if not st.session_state[touched_key]:
        st.info("Move a handle to make this your forecast; nothing is filled in for you.")
        return vector, False
    return vector, True
