"""Score rows as the reader sees them: your line, one question's table (the question page once
resolved, and the Review page) and the leaderboard.

Scores are shown as text: a number rounded without a "-0.0", and "no full day scored" where a
question resolved on the day someone forecast (there is no daily Brier to show, and the relative
Brier is 0 by construction, not by skill).
"""

from collections.abc import Sequence

import pandas as pd

NO_FULL_DAY = "no full day scored"


def number(value: float | None, digits: int = 3, signed: bool = False) -> str:
    """'0.013', '+0.013', '-0.013'; '0.000' for anything that rounds to zero; '—' for none."""
    if value is None or value != value:  # None or NaN
        return "—"
    rounded = round(float(value), digits)
    if rounded == 0:
        return f"{0:.{digits}f}"
    text = f"{abs(rounded):.{digits}f}"
    if rounded < 0:
        return "-" + text
    return ("+" if signed else "") + text


def shown_name(row: dict, me: str) -> str:
    name = row.get("display_name") or row["user"]
    return f"{name} (you)" if row["user"] == me else name


def my_score_line(rows: Sequence[dict], me: str) -> str | None:
    """'**Your score:** final Brier 0.020 · relative Brier -0.013 · …' (None if not scored)."""
    mine = next((r for r in rows if r["user"] == me), None)
    if mine is None:
        return None
    parts = [
        f"{label} {number(mine[key], digits, signed)}"
        for key, label, digits, signed in (
            ("brier", "final Brier", 3, False),
            ("relative_brier", "relative Brier", 3, True),
            ("peer_score", "peer score", 3, True),
        )
        if mine.get(key) is not None
    ]
    if not mine.get("active_days"):
        parts.append(NO_FULL_DAY)
    return "**Your score:** " + " · ".join(parts) if parts else None


def score_frame(rows: Sequence[dict], me: str) -> pd.DataFrame:
    """One question's scores, best relative Brier first, every cell as text."""
    ordered = sorted(
        rows, key=lambda r: (r.get("relative_brier") is None, r.get("relative_brier") or 0)
    )
    table = []
    for r in ordered:
        no_day = not r.get("active_days")
        table.append(
            {
                "Member": shown_name(r, me),
                "Final Brier": number(r.get("brier")),
                "Mean daily Brier": NO_FULL_DAY if no_day else number(r.get("mean_daily_brier")),
                "Relative Brier": "—" if no_day else number(r.get("relative_brier"), signed=True),
                "Participation": (
                    NO_FULL_DAY if no_day else f"{r['active_days']} of {r['scored_days']} days"
                ),
                "Log score": number(r.get("log_score")),
                "Peer score": number(r.get("peer_score"), signed=True),
                "Baseline score": number(r.get("baseline_score"), signed=True),
            }
        )
    return pd.DataFrame(table)


def leaderboard_frame(rows: Sequence[dict], me: str, columns: dict[str, str]) -> pd.DataFrame:
    """The leaderboard: shared ranks shown as '=2', display names, 'no full day scored'."""
    counts: dict[int, int] = {}
    for r in rows:
        counts[r["rank"]] = counts.get(r["rank"], 0) + 1
    table = []
    for r in rows:
        no_day = not r.get("days_scored")
        cells = {
            "#": f"={r['rank']}" if counts[r["rank"]] > 1 else str(r["rank"]),
            "Member": shown_name(r, me),
            "Questions": r["questions"],
        }
        for key, label in columns.items():
            if key in ("mean_daily_brier", "relative_brier") and no_day:
                cells[label] = NO_FULL_DAY if key == "mean_daily_brier" else "—"
            elif key in ("peer_score", "baseline_score"):
                cells[label] = number(r.get(key), signed=True)
            else:
                cells[label] = number(r.get(key), signed=key == "relative_brier")
        table.append(cells)
    return pd.DataFrame(table)
