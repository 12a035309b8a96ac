"""Channel edge and composition root: adapters, CLI, wiring. No business rules here."""
