"""The built-in risk rules as they were before the issue #8 rewrite (commit b2a6980), frozen.

They are the oracle of ``tests/risk/test_equivalence.py``: the rewritten rules
must give the same decision (allowed, rule, reason, value and limit, with the
same types) and the same trading-state changes on every scenario. Do not edit
them to make a test pass; a deliberate change of a rule's output changes both.
"""
