"""The questions list, the app's home page."""
