"""Test doubles, reference implementations and evaluation corpora: never imported by the app."""
