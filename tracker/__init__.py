"""forecast-tracker: team forecasting with evidence summaries and proper scoring."""

__version__ = "0.1.0"
