"""Persistence: ORM tables, repositories, the unit of work, migrations and importers. Decides nothing."""
