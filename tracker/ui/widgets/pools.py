"""The team's standing forecasts pooled several ways, as one small table (the question page and
the session reveal show it)."""

import pandas as pd
import streamlit as st

from tracker.schemas import QuestionRead

POOL_LABELS = {
    "median": ("Median", "Median of the standing forecasts (renormalised)"),
    "mean": ("Mean", "Arithmetic mean"),
    "geometric_mean_of_odds": ("Geo. odds", "Geometric mean of odds"),
    "extremized_log_odds": ("Extremized", "Mean of log-odds, extremized"),
    "recency_weighted_median": ("Recency", "Recency-weighted median (Metaculus style)"),
}


def pools_table(pools: dict[str, dict[str, float]], q: QuestionRead) -> None:
    """The team's standing forecasts pooled several ways: one row per option, one column per
    pool (option labels can be long; the pool names are short)."""
    options = ["Yes"] if q.type == "binary" else list(q.options)
    names = {key: POOL_LABELS.get(key, (key, key)) for key in pools}
    frame = pd.DataFrame(
        {"Option": options}
        | {
            names[key][0]: [vector.get(o, 0.0) * 100 for o in options]
            for key, vector in pools.items()
        }
    )
    config = {
        label: st.column_config.NumberColumn(format="%.0f%%", help=help_text, width="small")
        for label, help_text in names.values()
    }
    with st.expander("Team pools", expanded=q.type != "binary"):
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
