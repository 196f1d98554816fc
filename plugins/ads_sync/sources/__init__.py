"""The platforms, one folder each: `spec.py` (what the rest of the code reads), `reports.py` (API knowledge
and row mapping), `hook.py` (the client library, error classification), `connector.py` (the steps of a
window), `discovery.py` (the account walk); Meta adds its async-report `operator.py` and `trigger.py`.
"""
