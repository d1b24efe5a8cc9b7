"""The only write path: every change is validated, permission-checked and audited here."""
