"""Modal dialogs: safety procedures, alternatives, resume, help."""
