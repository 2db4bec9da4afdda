"""Specs at the decider level: given events, when a command, then events (or a typed refusal).

One module per stream, going through the registry's deciders and the fake store; the facade
tests in ``tests/unit`` stay as the integration tests.
"""
