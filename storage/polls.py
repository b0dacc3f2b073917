"""Queries of the posted polls: which vote a poll belongs to, and the polls of a vote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from storage.models_polls import PollMessage


@dataclass(frozen=True)
class PostedPoll:
    key: str
    room_id: str
    message_id: str
    answers: tuple[str, ...]


def remember(session: Session, transport: str, room_id: str, message_id: str, key: str,
             answers: Sequence[str]) -> None:
    """Note a posted poll; posting it again (a reply resent after a restart comes back
    with the same event id) changes nothing."""
    exists = session.exec(select(PollMessage.id).where(
        PollMessage.transport == transport, PollMessage.message_id == message_id)).first()
    if exists is None:
        session.add(PollMessage(transport=transport, room_id=room_id, message_id=message_id,
                                key=key, answers="\n".join(answers)))
        session.flush()


def by_message(session: Session, transport: str, message_id: str) -> PostedPoll | None:
    row = session.exec(select(PollMessage).where(
        PollMessage.transport == transport, PollMessage.message_id == message_id)).first()
    return _posted(row) if row is not None else None


def of_key(session: Session, transport: str, key: str) -> list[PostedPoll]:
    """Every poll the transport posted for the vote, oldest first."""
    rows = session.exec(select(PollMessage).where(
        PollMessage.transport == transport, PollMessage.key == key)
        .order_by(PollMessage.id)).all()  # type: ignore[arg-type]
    return [_posted(row) for row in rows]


def _posted(row: PollMessage) -> PostedPoll:
    return PostedPoll(key=row.key, room_id=row.room_id, message_id=row.message_id,
                      answers=tuple(a for a in row.answers.split("\n") if a))
