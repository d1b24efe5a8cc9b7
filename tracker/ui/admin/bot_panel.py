"""The AI baseline forecaster on the Members tab: add a bot, enable or disable it, run it.

A bot is a member of kind bot: disabled when created, no password, never counted as a human.
"""

import pandas as pd
import streamlit as st

from tracker.errors import TrackerError
from tracker.services import bots, summaries
from tracker.ui.shell.context import current_actor, get_db
from tracker.ui.widgets.render import esc, flash, show_error


def show() -> None:
    db, actor = get_db(), current_actor()
    st.markdown("**🤖 AI baseline forecaster** — a bot member the team can compare itself with")
    configured = summaries.engine_status().configured
    if not configured:
        st.caption("The offline engine is active: a bot makes no forecasts until an LLM is set.")
    listed = bots.list_bots(db)
    if listed:
        st.dataframe(
            pd.DataFrame(
                {
                    "Bot": [b.name for b in listed],
                    "Enabled": [b.is_active for b in listed],
                    "Since": [b.created_at.date() for b in listed],
                }
            ),
            hide_index=True,
        )
    cols = st.columns([2, 1, 1, 1])
    name = cols[0].text_input("Bot name", value="baseline", key="adm_bot_name")
    try:
        if cols[1].button("Add bot", key="adm_bot_add"):
            bots.create_bot(db, actor, name.strip())
            flash(f"Bot {esc(name)} added (disabled).")
            st.rerun()
        known = {b.name: b for b in listed}
        if name in known:
            enabled = known[name].is_active
            label = "Disable" if enabled else "Enable"
            if cols[2].button(label, key="adm_bot_toggle"):
                bots.set_enabled(db, actor, name, not enabled)
                flash(f"Bot {esc(name)} {'disabled' if enabled else 'enabled'}.")
                st.rerun()
        if cols[3].button("Forecast all open", key="adm_bot_run", disabled=not configured):
            with st.spinner("The bot is forecasting…"):
                runs = bots.run_bots(db, actor)
            made = sum(r.status == "made" for r in runs)
            st.success(f"{made} forecast(s) made; {len(runs) - made} unchanged or not made.")
    except TrackerError as exc:
        show_error(exc)
