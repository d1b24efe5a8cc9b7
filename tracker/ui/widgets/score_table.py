"""One question's score rows as the reader sees them: your line and the team's table (the
question page once resolved, and the Review page)."""

from collections.abc import Sequence

import pandas as pd


def my_score_line(rows: Sequence[dict], me: str) -> str | None:
    """'**Your score:** final Brier 0.020 · relative Brier −0.013 · …' (None if not scored)."""
    mine = next((r for r in rows if r["user"] == me), None)
    if mine is None:
        return None
    parts = [
        f"{label} {mine[key]:{fmt}}"
        for key, label, fmt in (
            ("brier", "final Brier", ".3f"),
            ("relative_brier", "relative Brier", "+.3f"),
            ("peer_score", "peer score", "+.1f"),
        )
        if mine.get(key) is not None
    ]
    return "**Your score:** " + " · ".join(parts) if parts else None


def score_frame(rows: Sequence[dict], me: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    columns = {
        "user": "Member",
        "brier": "Final Brier",
        "mean_daily_brier": "Mean daily Brier",
        "relative_brier": "Relative Brier",
        "participation": "Participation",
        "log_score": "Log score",
        "peer_score": "Peer score",
        "baseline_score": "Baseline score",
    }
    frame = frame[[c for c in columns if c in frame.columns]].rename(columns=columns)
    if "Member" in frame:
        frame["Member"] = [f"{m} (you)" if m == me else m for m in frame["Member"]]
    if "Relative Brier" in frame:
        frame = frame.sort_values("Relative Brier")
    return frame.round(3)
