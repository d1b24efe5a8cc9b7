"""Question drafting: a model proposes questions from an article; a person decides.

Nothing is created here. Proposals are validated one by one and invalid ones are dropped, so
one malformed draft does not hide the good ones.
"""

import logging

from pydantic import ValidationError

from tracker.errors import TrackerError
from tracker.llm.schema import QuestionDraft
from tracker.llm.wire import WireDrafts

log = logging.getLogger(__name__)
MAX_DRAFTS = 5


class DraftingError(TrackerError):
    """Drafting did not produce questions; the message says why, for the person who asked."""


class DraftingUnavailable(DraftingError):
    """No language model is configured (the offline engine cannot draft)."""


class DraftingFailed(DraftingError):
    """The language model was configured but failed or proposed nothing usable."""


def drafts_from_wire(wire: WireDrafts) -> list[QuestionDraft]:
    """The valid proposals, in the model's order (at most MAX_DRAFTS)."""
    drafts = []
    for index, proposal in enumerate(wire.questions[:MAX_DRAFTS]):
        try:
            drafts.append(QuestionDraft.model_validate(proposal.model_dump()))
        except ValidationError as exc:
            log.info("dropped draft %d: %s", index, exc.errors(include_url=False))
    return drafts
