"""The förbund's sealing certificate and the sealed PDF of each justerat protokoll."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models_protocol import ForbundSigill, SealedProtocol


def sigill_of(session: Session, forbund_id: int) -> ForbundSigill | None:
    return session.exec(select(ForbundSigill).where(
        ForbundSigill.forbund_id == forbund_id)).first()


def set_configured_path(session: Session, forbund_id: int, path: str) -> None:
    """The config's certificate file ("" when none); a self-signed certificate already made
    is kept, so that earlier seals can still be told apart from a stranger's."""
    row = sigill_of(session, forbund_id)
    if row is None:
        if not path:
            return
        row = ForbundSigill(forbund_id=forbund_id)
    row.configured_path = path
    session.add(row)
    session.flush()


def save_self_signed(session: Session, forbund_id: int, certificate_pem: str,
                     key_pem: str, at: datetime) -> ForbundSigill:
    """Keep a new self-signed certificate, unless another request made one first: then
    that one is returned and this one is dropped, so that every seal uses the same."""
    row = sigill_of(session, forbund_id)
    if row is None:
        try:
            with session.begin_nested():
                session.add(ForbundSigill(forbund_id=forbund_id, certificate_pem=certificate_pem,
                                          key_pem=key_pem, created_at=at))
        except IntegrityError:  # inserted at the same moment by another transaction
            pass
    else:
        # Only where none is kept yet: a concurrent writer's certificate is never replaced.
        session.exec(update(ForbundSigill).where(
            ForbundSigill.id == row.id, ForbundSigill.certificate_pem == "").values(
            certificate_pem=certificate_pem, key_pem=key_pem, created_at=at))
        session.expire(row)
    found = sigill_of(session, forbund_id)
    assert found is not None
    return found


def sealed(session: Session, meeting_id: int, content_key: str) -> SealedProtocol | None:
    return session.exec(select(SealedProtocol).where(
        SealedProtocol.meeting_id == meeting_id,
        SealedProtocol.content_key == content_key)).first()


def save_sealed(session: Session, meeting_id: int, content_key: str, pdf: bytes,
                at: datetime, sealed_by: str) -> SealedProtocol:
    """Keep a sealed PDF; if the same content was sealed at the same moment by another
    request, that one wins and is returned."""
    try:
        with session.begin_nested():
            row = SealedProtocol(meeting_id=meeting_id, content_key=content_key, pdf=pdf,
                                 sealed_at=at, sealed_by=sealed_by[:500])
            session.add(row)
    except IntegrityError:
        pass
    found = sealed(session, meeting_id, content_key)
    assert found is not None
    return found


def sealed_versions(session: Session, meeting_id: int) -> list[SealedProtocol]:
    """Every sealed PDF of the meeting, oldest first (a new one when the document changed)."""
    return list(session.exec(select(SealedProtocol).where(
        SealedProtocol.meeting_id == meeting_id).order_by(SealedProtocol.id)).all())
