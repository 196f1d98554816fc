"""Fake Ads: a platform declared only here, to prove that a spec is all a platform takes (issue 13 §1).

`spec.py` declares it, `hook.py` serves deterministic campaigns and campaign_daily rows from memory (no
network), `connector.py` turns them into the pipeline's steps. Nothing outside this folder names it: the
test registers the spec (`ads_sync.platforms.register`) and forgets it afterwards.
"""
