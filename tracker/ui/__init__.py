"""Streamlit pages and small view helpers: widgets → service → render, nothing else."""
