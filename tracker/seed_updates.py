"""Bring seed questions an admin never touched up to the current seed wording.

`tracker seed` runs on every start; a fix to a seed question (a window, an option's words) must
reach old installs, but never overwrite an admin's own edit. `earlier_versions.json` lists the
fingerprint of every wording each seed question has shipped with: a stored question whose
fingerprint is one of them is still as seeded, so it is edited to the current seed (a new
revision, audited as `system`); anything else was changed by a person and is left alone.
"""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from tracker.db import Database
from tracker.errors import Conflict
from tracker.schemas import Actor, QuestionEdit, QuestionRead, Source
from tracker.services.questions import edit_question

EARLIER_VERSIONS = "earlier_versions.json"


class SeedUpdates(BaseModel):
    updated: list[str] = []
    options_kept: list[str] = []  # forecasts exist, so only the options' words stayed as they were


def fingerprint(
    title: str, description: str, criteria: str, options: list[str], close_time: datetime | str
) -> str:
    """A hash of what a forecaster reads and what the window is."""
    if isinstance(close_time, str):
        close_time = datetime.fromisoformat(close_time.replace("Z", "+00:00"))
    close = close_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps([title, description, criteria, options, close], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seed_fingerprint(q: dict) -> str:
    return fingerprint(
        q["title"], q["description"], q["resolution_criteria"], q["options"], q["close_time"]
    )


def stored_fingerprint(q: QuestionRead) -> str:
    return fingerprint(q.title, q.description, q.resolution_criteria, q.options, q.close_time)


def earlier_versions(seed_dir: Path) -> dict[str, list[str]]:
    path = seed_dir / EARLIER_VERSIONS
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["questions"]


def update_untouched(
    db: Database, seed_dir: Path, seeded: list[dict], present: dict[str, QuestionRead]
) -> SeedUpdates:
    """Edit every stored seed question still worded as an earlier seed to the current one."""
    earlier = earlier_versions(seed_dir)
    result = SeedUpdates()
    for q in seeded:
        stored = present.get(q["id"])
        if stored is None or stored.status != "open":
            continue
        now = stored_fingerprint(stored)
        if now == seed_fingerprint(q) or now not in earlier.get(q["id"], []):
            continue
        edit = QuestionEdit(
            title=q["title"],
            description=q["description"],
            resolution_criteria=q["resolution_criteria"],
            options=q["options"],
            close_time=q["close_time"],
            sources=[Source.model_validate(s) for s in q.get("sources", [])],
        )
        try:
            edit_question(db, Actor.system(), q["id"], edit)
        except Conflict:
            edit_question(db, Actor.system(), q["id"], edit.model_copy(update={"options": None}))
            result.options_kept.append(q["id"])
        result.updated.append(q["id"])
    return result
