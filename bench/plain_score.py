"""The plain reference for `bench/data_paths.py`: a straightforward pure-Python scorer.

Reads an interchange file with the standard library and computes, per (question, user), the
mean daily Brier and the relative Brier (own minus the day's median, over scored days) the way
a reasonable person would write it without numpy. Prints how many pairs it scored.

    python bench/plain_score.py FILE
"""

import json
import statistics
import sys
from collections import defaultdict
from datetime import UTC, datetime

DAY = 86_400


def seconds(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def main(path: str) -> None:
    with open(path, "rb") as handle:
        doc = json.load(handle)
    questions = {}
    for q in doc["questions"]:
        if q.get("resolution") in (None, "annulled"):
            continue
        options = q.get("options") or ["Yes", "No"]
        end = seconds(q["close_time"])
        if q.get("resolved_time"):
            end = min(end, seconds(q["resolved_time"]))
        questions[q["id"]] = (options, options.index(q["resolution"]), seconds(q["open_time"]), end)
    history = defaultdict(lambda: defaultdict(list))  # question → user → [(time, brier)]
    for f in doc["forecasts"]:
        q = questions.get(f["question_id"])
        if q is None or f.get("hidden"):
            continue
        options, outcome, _, end = q
        t = seconds(f["time"])
        if t < end:
            p = f["probabilities"]
            brier = sum((p.get(o, 0.0) - (i == outcome)) ** 2 for i, o in enumerate(options))
            history[f["question_id"]][f["user"]].append((t, brier))
    pairs = 0
    for qid, users in history.items():
        _, _, open_t, end = questions[qid]
        days = range(open_t // DAY, end // DAY)  # day D is scored when D + 1 day <= end
        daily = {u: {} for u in users}
        for user, rows in users.items():
            rows.sort()
            i, latest = 0, None
            for d in days:
                while i < len(rows) and rows[i][0] < (d + 1) * DAY:
                    latest, i = rows[i][1], i + 1
                if latest is not None:
                    daily[user][d] = latest
        medians = {}
        for d in days:
            todays = [s[d] for s in daily.values() if d in s]
            if todays:
                medians[d] = statistics.median(todays)
        for scores in daily.values():
            if scores:
                mean_daily = sum(scores.values()) / len(scores)
                relative = sum(s - medians[d] for d, s in scores.items()) / max(len(days), 1)
                pairs += mean_daily is not None and relative is not None
    print(f"{pairs} pairs")


if __name__ == "__main__":
    main(sys.argv[1])
