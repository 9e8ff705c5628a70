"""Models arrive with the remittance and denial issues."""
