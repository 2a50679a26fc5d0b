"""Widgets the screens are built from: form fields, the entity picker, the tally board."""
