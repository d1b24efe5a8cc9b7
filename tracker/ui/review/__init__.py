"""The review page: leaderboard, calibration, the weekly queue and per-question reviews."""
