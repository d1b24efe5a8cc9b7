"""Load the seed questions (and, when present, evidence notes) drawn from the Muscat-talks articles.

Idempotent: questions whose id already exists are left alone, even if an admin has since edited
them, so the run command can seed on every start; the one exception is a seed question that
has no keywords yet (seeded before keywords existed), which gets the seed's, and a seed question
still worded exactly as an earlier seed, which is edited to the current wording (a new revision;
see `tracker.seed_updates`). Finally every
question whose evidence changed gets a fresh summary, so a new install opens with summaries.
"""

import json
from pathlib import Path

from pydantic import BaseModel

from tracker.config import SEED_DIR
from tracker.db import Database
from tracker.interchange import import_document
from tracker.schemas import Actor, QuestionEdit
from tracker.seed_updates import update_untouched
from tracker.services.evidence import rematch
from tracker.services.questions import edit_question, list_questions
from tracker.services.summary_refresh import refresh_summaries


class SeedSummary(BaseModel):
    questions_added: int = 0
    questions_present: int = 0
    keywords_filled: int = 0
    evidence_added: int = 0
    reworded: list[str] = []
    options_kept: list[str] = []
    summaries_made: int = 0


def seed(db: Database, seed_dir: Path = SEED_DIR) -> SeedSummary:
    document = json.loads((seed_dir / "questions.json").read_text(encoding="utf-8"))
    present = {q.id: q for q in list_questions(db)}
    fresh = [q for q in document["questions"] if q["id"] not in present]
    summary = SeedSummary(questions_present=len(document["questions"]) - len(fresh))
    if fresh:
        result = import_document(
            db, Actor.system(), {"format": document["format"], "questions": fresh, "forecasts": []}
        )
        summary.questions_added = result.questions_added
    for q in document["questions"]:
        if q["id"] in present and not present[q["id"]].keywords and q.get("keywords"):
            edit_question(db, Actor.system(), q["id"], QuestionEdit(keywords=q["keywords"]))
            summary.keywords_filled += 1
    updates = update_untouched(db, seed_dir, document["questions"], present)
    summary.reworded, summary.options_kept = updates.updated, updates.options_kept
    evidence_file = seed_dir / "evidence.json"
    if evidence_file.exists():
        from tracker.services.evidence import seed_notes

        summary.evidence_added = seed_notes(db, json.loads(evidence_file.read_text("utf-8")))
    if summary.questions_added and not summary.evidence_added:
        rematch(db, Actor.system())  # evidence stored before these questions existed
    summary.summaries_made = len(refresh_summaries(db, Actor.system()).refreshed)
    return summary
