"""Question quality: deterministic checks of a question's wording and window (no model needed)."""
