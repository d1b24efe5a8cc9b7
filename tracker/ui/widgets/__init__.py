"""Parts more than one page shows: safe rendering, charts, the forecast form, the team pools,
score tables and the cached team-wide score results."""
