"""Presentation: the review page and the spaCy view of a report."""
