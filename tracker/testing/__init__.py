"""Test doubles and reference implementations, for the tests and bench/ only; the product never
imports them.

- fake_llm_server: a scripted OpenAI-compatible server on loopback.
- reference_scoring: a plain, slow re-implementation of the scoring engine to check it against.
- reference_continuous: the same for numeric questions' scores.
- match_corpus: the labelled news items that matching is measured on (tests and bench/match.py).
"""
