"""Confide: case records that keep what clients say confidential."""
