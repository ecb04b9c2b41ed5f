"""`tote simulate`: a load generator that runs a race card against the tote service.

`card` decides what happens (pure, seeded: runners, bets with a favourite-longshot skew,
scratchings, results with the odd dead heat); `driver` does it over HTTP.
"""
