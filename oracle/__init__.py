"""The DfE 903 validator (``csc-validator-be-903``) as a test oracle; see docs/dfe-validator.md.

Nothing here is imported by the app. ``run_rules.py`` and ``derive.py`` run with the validator's
own virtualenv (``make validator``); ``known_faults`` is plain Python that both sides read.
"""
