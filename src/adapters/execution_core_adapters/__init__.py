"""Adapters: storage, serialization, and the command line around the pure execution core.

Everything that touches eventsourcing, a database, a file or the terminal lives here.
"""
