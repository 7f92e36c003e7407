"""Custom actions for Wegwijs. Thin: they read the tracker, call knowledge/, and format.

One action per module; class ``Action<Verb><Object>`` has the name ``action_<verb>_<object>``.
"""
