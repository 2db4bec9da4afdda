"""Projections: the worker that keeps materialized view tables current, and those tables."""
