"""The admin page (page.py): question forms (questions.py), team and data panels (team.py)."""
