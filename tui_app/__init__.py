"""FieldLog: an offline-first field-inspection logger for market-supervision campaigns.

Kept empty on purpose: importing the package must stay cheap and must not pull in
Textual, so that CLI commands that need no TUI start fast.
"""

__version__ = "0.1.0"
