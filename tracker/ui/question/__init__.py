"""The question page (page.py) and the sections only it shows (panels.py, summary.py)."""
