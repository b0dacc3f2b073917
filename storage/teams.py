"""Queries of the Teams transport: conversation references and served files."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from storage.models import Forbund, Organ, utcnow
from storage.models_teams import TeamsConversation, TeamsFile
from storage.tenants import OrganRef, organ_by_id

FILE_LIFETIME = timedelta(days=90)


def save_conversation(session: Session, conversation_id: str, reference: str, *, kind: str,
                      team_id: str, tenant_id: str, service_url: str, name: str) -> bool:
    """Store or refresh a conversation's reference; True if it was not known before."""
    row = get_conversation(session, conversation_id)
    new = row is None
    if row is None:
        row = TeamsConversation(conversation_id=conversation_id, reference=reference)
        session.add(row)
    row.reference, row.kind, row.team_id = reference, kind, team_id
    row.tenant_id, row.service_url, row.name = tenant_id, service_url, name
    row.updated_at = utcnow()
    session.flush()
    return new


def get_conversation(session: Session, conversation_id: str) -> TeamsConversation | None:
    return session.exec(select(TeamsConversation).where(
        TeamsConversation.conversation_id == conversation_id)).first()


def forget_conversations(session: Session, conversation_id: str, team_id: str = "") -> int:
    """Drop the reference of a conversation, and of every channel of the team if given."""
    query = select(TeamsConversation).where(TeamsConversation.conversation_id == conversation_id)
    if team_id:
        query = select(TeamsConversation).where(
            (TeamsConversation.conversation_id == conversation_id)
            | (TeamsConversation.team_id == team_id))
    rows = session.exec(query).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def organ_by_key(session: Session, key: str) -> list[OrganRef]:
    """Organs named by "organ-key" or "förbund-key/organ-key" (as in the config)."""
    forbund_key, _, organ_key = key.rpartition("/")
    query = select(Organ.id).join(Forbund, Forbund.id == Organ.forbund_id).where(
        Organ.key == organ_key)
    if forbund_key:
        query = query.where(Forbund.key == forbund_key)
    refs = [organ_by_id(session, organ_id) for organ_id in session.exec(query).all()]
    return [ref for ref in refs if ref is not None]


def store_file(session: Session, filename: str, mimetype: str, data: bytes,
               conversation_id: str, now: datetime | None = None) -> str:
    """Keep a file for download; returns its unguessable token. Old files are dropped."""
    now = now or utcnow()
    session.execute(delete(TeamsFile).where(TeamsFile.created_at < now - FILE_LIFETIME))
    token = secrets.token_urlsafe(32)
    session.add(TeamsFile(token=token, filename=filename, mimetype=mimetype, data=data,
                          conversation_id=conversation_id, created_at=now))
    session.flush()
    return token


def get_file(session: Session, token: str, now: datetime | None = None) -> TeamsFile | None:
    """A stored file, while its link is valid (FILE_LIFETIME): old ones are deleted only
    when a new file is stored, so the age is checked here too."""
    now = now or utcnow()
    return session.exec(select(TeamsFile).where(
        TeamsFile.token == token, TeamsFile.created_at >= now - FILE_LIFETIME)).first()
