"""Which question an evidence item bears on: ranking, thresholds, batching."""

import pytest

from tracker.evidence.match import (
    DEFAULT_THRESHOLD,
    QuestionMatcher,
    QuestionTerms,
    question_text,
    stem,
    tokenize,
)

QUESTIONS = {
    "iran-missile": question_text(
        "Will Iran launch a ballistic missile attack on Israel before 1 July 2026?",
        "Iran fired ballistic missiles at Israel in April and October 2024. This question asks "
        "whether the Islamic Republic will again strike Israeli territory with ballistic missiles.",
        "Resolves Yes if credible media (Reuters, AP, BBC) report that Iran launched at least one "
        "ballistic missile from its territory at Israel between the open date and 1 July 2026.",
    ),
    "brent-100": question_text(
        "Will the Brent crude oil price close above $100 per barrel before 1 July 2026?",
        "Brent is the global benchmark for crude oil. Prices rose during past Gulf crises and "
        "supply disruptions in the Strait of Hormuz.",
        "Resolves Yes if the front-month ICE Brent futures contract settles above $100 per "
        "barrel on any trading day before 1 July 2026, per ICE or EIA data.",
    ),
    # keywords give a question the names reports use for it ("the Fed", "the FOMC")
    "fed-cut": QuestionTerms(
        "fed-cut",
        "Will the Federal Reserve cut interest rates at its June 2026 meeting?",
        "The FOMC sets the target range for the federal funds rate at eight meetings a year.\n"
        "Resolves Yes if the FOMC statement at the June 2026 meeting lowers the target range "
        "for the federal funds rate.",
        keywords=("Fed", "FOMC", "rate cut"),
    ),
    "muscat-deal": question_text(
        "Will the US and Iran sign a nuclear agreement before 1 September 2026?",
        "Talks mediated by Oman in Muscat resumed in 2026 over Iran's uranium enrichment and "
        "sanctions relief.",
        "Resolves Yes if the United States and Iran both sign a written agreement on Iran's "
        "nuclear program before 1 September 2026.",
    ),
    "uk-election": question_text(
        "Will the UK hold a general election before the end of 2026?",
        "The next UK general election is due by 2029; a snap election requires a dissolution "
        "of Parliament.",
        "Resolves Yes if polling day of a UK general election falls on or before 31 December 2026.",
    ),
}

MISSILE_ARTICLE = (
    "Iran fires wave of ballistic missiles at Israel\n"
    "Iran launched dozens of ballistic missiles at Israel late on Tuesday, the Israeli military "
    "said, with sirens sounding in Tel Aviv and Jerusalem. Most of the missiles were intercepted "
    "by air defences, officials said. Iran's Revolutionary Guards said the missile strike was a "
    "response to an earlier Israeli attack. Oil prices rose about 3% in Asian trading after the "
    "strike, as traders weighed the risk to supplies from the Gulf."
)
ARTICLES = {
    "iran-missile": MISSILE_ARTICLE,
    "brent-100": (
        "Oil jumps as Hormuz tanker traffic slows\n"
        "Brent crude futures climbed above $92 a barrel on Monday, their highest level this year, "
        "as tanker traffic through the Strait of Hormuz slowed. Analysts said a prolonged "
        "disruption could push crude prices above $100 per barrel."
    ),
    "fed-cut": (
        "Fed signals patience on rate cuts\n"
        "Federal Reserve officials kept interest rates unchanged and signalled they are in no "
        "hurry to cut, according to minutes of the FOMC's latest meeting. Markets trimmed bets "
        "on a June cut."
    ),
    "muscat-deal": (
        "US and Iranian negotiators meet again in Muscat\n"
        "American and Iranian negotiators held a fourth round of indirect talks in Muscat on "
        "Saturday. The talks focused on limits to uranium enrichment and the lifting of US "
        "sanctions. No agreement on Iran's nuclear program was imminent, both sides said."
    ),
    "uk-election": (
        "Speculation mounts over early UK poll\n"
        "MPs say the government could call a general election in the autumn, with Parliament "
        "dissolved as early as September."
    ),
}
FEED_SNIPPETS = {
    "iran-missile": "Iran fires missiles at Israel. Sirens sounded across central Israel as "
    "Iranian ballistic missiles were intercepted.",
    "brent-100": "Oil climbs on Gulf supply fears. Brent crude rose 4% to $94 a barrel as "
    "tanker traffic slowed in the Strait of Hormuz.",
    "fed-cut": "Traders price in June Fed cut after soft jobs data. Futures imply a 70% chance "
    "the FOMC lowers the federal funds rate in June.",
    "muscat-deal": "Iran and US hold fresh talks in Oman. Negotiators discussed enrichment "
    "limits and sanctions relief in Muscat.",
}
UNRELATED = [
    "Arsenal beat Chelsea 3-1 in a thrilling London derby. Bukayo Saka scored twice as "
    "Arsenal came from behind at the Emirates Stadium on Sunday.",
    "Iran's national football team qualified for the World Cup after beating Uzbekistan.",
    "Shell reports record quarterly profit as refining margins improve; shares rise 2%.",
    "Oman's sultan opens a new museum in Muscat celebrating maritime history.",
    "Interest in ballet surges in London as the Royal Opera House sells out its season.",
]


# Long articles: many words in passing must not add up to a match.
LONG_UNRELATED = (
    "Brazil's presidential race tightens as economy slows\n"
    "Brazil's presidential election campaign entered its final month on Monday with the two "
    "leading candidates separated by just three points, according to a new poll. The "
    "government has struggled with slowing growth, stubborn inflation and a widening budget "
    "deficit, and opposition leaders have seized on rising food prices to argue that the "
    "administration has lost control of the economy. The central bank kept its benchmark rate "
    "at 10.5 percent last week, saying that inflation expectations remained above target. "
    "Several economists said the bank could raise rates again before the end of the year if "
    "the currency continued to weaken. Voters interviewed at a busy market said they were "
    "worried about the cost of living and about crime. The opposition candidate has promised "
    "to cut taxes, reduce public spending and sign new trade agreements with Europe and Asia. "
    "Foreign investors have been watching the race closely. Oil and mining companies, which "
    "account for a large share of exports, said they expected policy to remain broadly stable "
    "whoever wins, and the state oil company said it would keep investing in offshore fields. "
    "Turnout is expected to be high, as voting is compulsory. Results are usually known within "
    "hours of the polls closing because Brazil uses electronic voting machines. If no "
    "candidate wins more than half of the valid votes in the first round, a runoff will be "
    "held four weeks later, and recent polls suggest that a second round is likely."
)
LONG_MISSILE = (
    "Israel counts the cost after night of Iranian missile fire\n"
    "Emergency crews in central Israel worked through the morning after Iran launched its "
    "largest ballistic missile barrage in months, firing more than 180 missiles in several "
    "waves overnight. The Israeli military said the vast majority of the missiles were "
    "intercepted by the Arrow and David's Sling systems, with help from US destroyers in the "
    "eastern Mediterranean, but several struck open areas near Tel Aviv and one hit a "
    "residential building in Rehovot. Iran's Revolutionary Guards said the ballistic missile "
    "attack was retaliation for an Israeli strike on a weapons depot near Isfahan and warned "
    "that further launches would follow if Israel responded. Israeli officials vowed a "
    "forceful answer, and the security cabinet met in Tel Aviv to discuss options. Analysts "
    "said the scale of the salvo suggested Iran had rebuilt its missile stocks since the "
    "exchanges of 2024. Airlines suspended flights to Tel Aviv and schools across the "
    "country were closed. Oil prices rose in early trading as markets weighed the risk of a "
    "wider war in the Gulf, though they later pared gains."
)


@pytest.fixture(scope="module")
def matcher() -> QuestionMatcher:
    return QuestionMatcher(
        [q if isinstance(q, QuestionTerms) else (qid, q) for qid, q in QUESTIONS.items()]
    )


@pytest.mark.parametrize("expected", list(ARTICLES))
def test_the_relevant_question_ranks_first(matcher, expected):
    ranked = matcher.rank(ARTICLES[expected])
    assert ranked[0][0] == expected
    assert ranked[0][1] >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("expected", list(FEED_SNIPPETS))
def test_short_feed_snippets_rank_and_match_too(matcher, expected):
    matched = matcher.match(FEED_SNIPPETS[expected])
    assert matched and matched[0][0] == expected


def test_missile_article_matches_the_missile_question_not_the_oil_one_strongly(matcher):
    scores = dict(matcher.rank(MISSILE_ARTICLE))
    assert scores["iran-missile"] >= DEFAULT_THRESHOLD
    # it mentions oil prices in passing: a weak signal, well below the real subject
    assert scores.get("brent-100", 0.0) < DEFAULT_THRESHOLD
    assert scores["iran-missile"] > 2 * scores.get("brent-100", 0.0)
    assert [qid for qid, _ in matcher.match(MISSILE_ARTICLE)] == ["iran-missile"]


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_items_match_nothing(matcher, text):
    assert matcher.match(text) == []
    assert all(score < 0.12 for _, score in matcher.rank(text))


def test_thresholds_filter_and_scores_are_fractions(matcher):
    ranked = matcher.rank(MISSILE_ARTICLE)
    assert all(0.0 < score <= 1.0 for _, score in ranked)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    everything = matcher.links(MISSILE_ARTICLE, threshold=0.0, relative=0.0)
    assert {m.question_id for m in everything} == {qid for qid, _ in ranked}
    assert matcher.match(MISSILE_ARTICLE, threshold=1.0 + 1e-9) == []  # scores are capped at 1
    assert matcher.rank(MISSILE_ARTICLE, top_k=1) == ranked[:1]


def test_a_questions_own_text_scores_highest_for_itself(matcher):
    for qid, q in QUESTIONS.items():
        text = f"{q.title}\n{q.text}\n{' '.join(q.keywords)}" if isinstance(q, QuestionTerms) else q
        assert matcher.rank(text)[0][0] == qid


def test_scores_do_not_depend_on_what_else_is_in_the_batch(matcher):
    texts = list(ARTICLES.values()) + UNRELATED + ["", "!!!"]
    batched = matcher.rank_many(texts)
    assert batched == [matcher.rank(t) for t in texts]
    assert matcher.match_many(texts) == [matcher.match(t) for t in texts]


def test_repeating_an_item_raises_its_score_but_never_past_one(matcher):
    once = dict(matcher.rank(FEED_SNIPPETS["iran-missile"]))["iran-missile"]
    thrice = dict(matcher.rank(" ".join([FEED_SNIPPETS["iran-missile"]] * 3)))["iran-missile"]
    assert once < thrice <= 1.0


def test_empty_inputs():
    empty = QuestionMatcher([])
    assert empty.rank("anything") == [] and empty.rank_many(["a", "b"]) == [[], []]
    stop = QuestionMatcher([("q", "the of and to")])
    assert stop.rank("the of and to") == []
    with pytest.raises(ValueError, match="unique"):
        QuestionMatcher([("q", "a"), ("q", "b")])


def test_stemming_and_tokens():
    assert {stem(w) for w in ("missile", "missiles")} == {"missil"}
    assert {stem(w) for w in ("launch", "launches", "launched", "launching")} == {"launch"}
    assert {stem(w) for w in ("sanction", "sanctions", "sanctioned")} == {"sanction"}
    assert {stem(w) for w in ("iran", "iranian", "iranians")} == {"iran"}  # demonyms fold
    assert stem("2026") == "2026"
    assert tokenize("The U.S. and us will strike, the United States said") == [
        "usa",
        "strike",
        "usa",
    ]


def test_a_long_article_on_the_subject_matches(matcher):
    ranked = matcher.rank(LONG_MISSILE)
    assert ranked[0][0] == "iran-missile" and ranked[0][1] >= 2 * DEFAULT_THRESHOLD
    assert [qid for qid, _ in matcher.match(LONG_MISSILE)] == ["iran-missile"]


def test_a_long_article_touching_many_words_in_passing_matches_nothing(matcher):
    # elections, rates, oil, prices, trade agreements: all mentioned, none its subject here
    assert matcher.match(LONG_UNRELATED) == []
    assert all(score < DEFAULT_THRESHOLD for _, score in matcher.rank(LONG_UNRELATED))
