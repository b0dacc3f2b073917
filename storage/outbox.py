"""The reply outbox: kept in the command's transaction, removed once the reply is sent."""

from __future__ import annotations

from sqlmodel import Session, delete, select

from storage.models_outbox import OutboxReply


def keep(session: Session, transport: str, reply_json: str) -> int:
    row = OutboxReply(transport=transport, reply=reply_json)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


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
