"""Law data with sources: windows, keywords, content lists, error codes, registration facts.

Each module here is plain data plus trivial lookups; nothing in ``preflight.law``
imports the rest of the project. ``RULESET_VERSION`` names the rule set that reports
print, so a decision can be traced to the data that made it.
"""

RULESET_VERSION = "2026.12.1"
