"""Tests of the Vietnam guide's own content (the book at the repository root), apart from the
engine's tests in tests/: the guide's citations, promised parts and its release gate."""
