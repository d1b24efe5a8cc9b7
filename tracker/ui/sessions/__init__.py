"""The team sessions page (page.py) and its sections (panels.py)."""
