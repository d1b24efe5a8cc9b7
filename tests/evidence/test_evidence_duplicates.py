"""Exact duplicates (content hash) and near duplicates (MinHash index)."""

import numpy as np

from tracker.evidence.extract import (
    NearDuplicateIndex,
    content_hash,
    near_duplicate_score,
    split_sentences,
)

STORY = (
    "Iranian and American negotiators held a fourth round of indirect talks in Muscat on "
    "Saturday, with Omani mediators shuttling between the two delegations. The talks focused "
    "on limits to uranium enrichment and on the lifting of sanctions that have crippled Iran's "
    "oil exports. Both sides described the discussions as constructive but said that no "
    "agreement on Iran's nuclear programme was imminent. Iran's foreign minister told state "
    "television that the next round would be held within two weeks. A senior US official said "
    "Washington wanted a verifiable deal and would not accept enrichment above civilian levels. "
    "Israel's prime minister warned that any agreement must dismantle Iran's nuclear "
    "infrastructure. Oil prices fell slightly on hopes of a diplomatic breakthrough, with Brent "
    "crude trading near 78 dollars a barrel. Analysts said a deal could return up to one million "
    "barrels a day of Iranian crude to the market within months. European diplomats, who "
    "were not present in Muscat, said they had been briefed by both delegations and welcomed "
    "the continued engagement. The International Atomic Energy Agency has reported that Iran "
    "holds a growing stockpile of uranium enriched to sixty percent, close to weapons grade. "
    "Inspectors have had limited access to some sites since cameras were removed last year. "
    "Hardliners in the Iranian parliament criticised the talks and demanded guarantees that "
    "any future American administration would not abandon the deal. In Washington, several "
    "senators said they would insist on a congressional review of any agreement. Oman's "
    "foreign minister said the atmosphere had been positive and that the gaps were narrowing."
)
OTHER = (
    "The Federal Reserve held interest rates steady on Wednesday and signalled that it was in no "
    "hurry to cut, as inflation remained above its two percent target. Chair Jerome Powell told "
    "reporters that the committee needed more evidence that price pressures were easing before "
    "lowering borrowing costs. Markets trimmed bets on a June cut after the statement."
)


def test_reformatted_copy_has_the_same_hash():
    reformatted = "  " + STORY.upper().replace(". ", ".\r\n\r\n   ") + "\n\n"
    curly = STORY.replace("Iran's", "Iran’s")
    assert content_hash(reformatted) == content_hash(STORY)
    assert content_hash(curly) == content_hash(STORY)
    assert len(content_hash(STORY)) == 64


def test_a_changed_word_changes_the_hash():
    assert content_hash(STORY.replace("fourth", "fifth")) != content_hash(STORY)


def _with_sentence_changed(text: str, index: int, replacement: str) -> str:
    sentences = split_sentences(text)
    sentences[index] = replacement
    return " ".join(sentences)


def test_a_copy_with_one_sentence_changed_is_a_near_duplicate():
    copy = _with_sentence_changed(
        STORY, 3, "Tehran's top diplomat said on state TV that another round is planned soon."
    )
    assert content_hash(copy) != content_hash(STORY)
    assert near_duplicate_score(copy, STORY) >= 0.8
    index = NearDuplicateIndex()
    index.add("original", STORY)
    index.add("fed", OTHER)
    found = index.query(copy)
    assert [key for key, _ in found] == ["original"]
    assert found[0][1] >= 0.8
    assert index.best_match(copy)[0] == "original"


def test_different_stories_are_not_near_duplicates():
    assert near_duplicate_score(STORY, OTHER) < 0.1
    index = NearDuplicateIndex()
    index.add("original", STORY)
    assert index.query(OTHER) == []
    assert index.best_match(OTHER) is None


def test_a_heavily_rewritten_story_is_not_a_near_duplicate():
    rewritten = STORY
    for i in (0, 2, 4, 6, 8, 10, 12):
        rewritten = _with_sentence_changed(rewritten, i, f"Completely new sentence number {i}.")
    index = NearDuplicateIndex()
    index.add("original", STORY)
    assert index.query(rewritten) == []


def test_signatures_are_deterministic_and_can_be_stored():
    a, b = NearDuplicateIndex(), NearDuplicateIndex()
    sig = a.signature(STORY)
    assert sig.dtype == np.uint32 and sig.shape == (128,)
    assert np.array_equal(sig, b.signature(STORY))
    stored = sig.tobytes()
    b.add("from-db", signature=np.frombuffer(stored, dtype=np.uint32))
    assert b.query(STORY)[0] == ("from-db", 1.0)
    assert a.scheme == b.scheme == "minhash-v1/k5/p128/s20260206"


def test_empty_texts_never_match():
    index = NearDuplicateIndex()
    index.add("empty", "")
    index.add("story", STORY)
    assert index.query("") == []
    assert index.query("!!! ???") == []
    assert [k for k, _ in index.query(STORY)] == ["story"]


def test_index_grows_to_thousands_and_still_finds_the_copy():
    rng = np.random.default_rng(1)
    vocabulary = np.array([f"w{i}" for i in range(5000)])
    index = NearDuplicateIndex()
    for n in range(2000):
        index.add(f"item-{n}", " ".join(rng.choice(vocabulary, size=60)))
    index.add("story", STORY)
    assert len(index) == 2001
    copy = _with_sentence_changed(STORY, 5, "A US official said a deal needed strong checks.")
    assert [k for k, _ in index.query(copy)] == ["story"]
