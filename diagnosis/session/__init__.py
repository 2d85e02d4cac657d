"""The guided diagnosis: one session as an engine object with an event log."""
