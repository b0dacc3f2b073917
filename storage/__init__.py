"""Everything that touches the database: models, setup, migrations and queries."""
