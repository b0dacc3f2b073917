"""The reply outbox: kept in the command's transaction, removed once the reply is sent."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session, delete, select

from storage.models import utcnow
from storage.models_outbox import OutboxReply

# Built once, on the table: the ORM's object and flush cost more than the insert.
_KEEP = insert(OutboxReply.__table__).returning(  # type: ignore[attr-defined]
    OutboxReply.__table__.c.id)  # type: ignore[attr-defined]


def keep(session: Session, transport: str, reply_json: str) -> int:
    outbox_id: int = session.connection().execute(_KEEP, {
        "transport": transport, "reply": reply_json, "created_at": utcnow()}).scalar_one()
    return outbox_id


def sent(session: Session, outbox_id: int) -> None:
    sent_all(session, [outbox_id])


def sent_all(session: Session, outbox_ids: list[int]) -> None:
    if outbox_ids:
        session.exec(delete(OutboxReply).where(  # type: ignore[call-overload]
            OutboxReply.id.in_(outbox_ids)))  # type: ignore[union-attr]


def unsent(session: Session, transport: str) -> list[tuple[int, str]]:
    """Replies of the transport never confirmed sent, oldest first."""
    rows = session.exec(select(OutboxReply).where(OutboxReply.transport == transport)
                        .order_by(OutboxReply.id)).all()
    return [(row.id, row.reply) for row in rows if row.id is not None]
