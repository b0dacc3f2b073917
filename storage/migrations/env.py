"""Alembic environment: the bot passes its own connection in `config.attributes`."""

from alembic import context
from sqlmodel import SQLModel

from storage import load_models

load_models()

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic` on the command line, e.g. to autogenerate a revision
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///finsam-bot.db"
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
