"""Reusable widgets: hypothesis ranking, measurement card, readings."""
