"""The sign-in page shown before the navigation (the gate itself is shell/auth.py)."""
