"""Evidence handling: safe fetching, text extraction, feeds, duplicates and question matching.

Pure library code (no database): services call these functions and store what they return.
Modules are imported directly (`from tracker.evidence.fetch import fetch_url`) so that using
the matcher does not pay for importing trafilatura.
"""
