"""The account page: who you are, your password and your standing forecasts at a glance."""
