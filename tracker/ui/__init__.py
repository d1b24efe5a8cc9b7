"""Streamlit pages, one folder per page (page.py plus the sections only that page shows);
shell/ is the frame around them (login gate, navigation, context, sidebar) and widgets/ the
parts several pages share. Pages call services, never SQL."""
