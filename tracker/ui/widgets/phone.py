"""Layout for phones, in CSS only (the server cannot see the screen width).

Streamlit stacks columns on narrow screens in source order; `stack_reversed` makes a keyed
container's columns stack last-first there, so the question page's forecast form (its right
column) comes before the criteria and evidence (left) instead of about 1,000 px below them.
"""

import streamlit as st

PHONE_MAX_PX = 640


def stack_reversed(key: str) -> None:
    """Call once; wrap the columns in `st.container(key=key)`."""
    st.html(
        f"<style>@media (max-width: {PHONE_MAX_PX}px) {{"
        f" .st-key-{key} [data-testid='stHorizontalBlock'] {{ flex-direction: column-reverse; }}"
        f"}}</style>"
    )
