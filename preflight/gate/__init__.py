"""The send gate: recipient places, quiet hours and caps, content checks."""
