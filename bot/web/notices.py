"""What the anslagstavla shows for one förbund on one day, ready for the templates, and the
protokoll itself (PDF and accessible HTML) at its stable address.

A notice of justering is on the board from the day its anslag is put up (the day of
justering, or the later day `!anslagstavla uppsatt` gave) through its take-down date; then,
or after `!anslagstavla nedtagen`, it moves to the archive."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.commands.protokoll import build as protocol
from bot.commands.protokoll.documents import PDF_MIME
from bot.render import markdown_to_html
from bot.swedish import paragraph_range
from bot.web.settings import Site
from storage import anslagstavla, meetings, tenants
from storage.anslagstavla import Board, CallNotice, JusteringNotice

_STEM = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-([2-9]|[1-9]\d{1,2}))?$")


def _q(part: str) -> str:
    return quote(part, safe="")


def protocol_stem(day: date, ordinal: int) -> str:
    """'2022-03-25', or '2022-03-25-2' for the organ's second meeting that day."""
    return day.isoformat() if ordinal == 1 else f"{day.isoformat()}-{ordinal}"


def parse_stem(stem: str) -> tuple[date, int] | None:
    match = _STEM.match(stem)
    if not match:
        return None
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return None
    return day, int(match.group(2) or 1)


@dataclass(frozen=True)
class Links:
    """The addresses of one förbund's pages. `base` is the public_url ('' gives links from
    the site's root, which work behind any proxy that keeps the path)."""

    base: str
    key: str

    def _path(self, *parts: str) -> str:
        return "/".join([self.base, _q(self.key), *parts])

    @property
    def board(self) -> str:
        return self._path("anslagstavla")

    @property
    def archive(self) -> str:
        return self._path("anslagstavla", "arkiv")

    @property
    def accessibility(self) -> str:
        return self._path("anslagstavla", "tillganglighet")

    @property
    def logo(self) -> str:
        return self._path("anslagstavla", "logga")

    @property
    def feed(self) -> str:
        return self._path("anslagstavla.atom")

    @property
    def calendar(self) -> str:
        return self._path("anslagstavla.ics")

    def protocol(self, organ_key: str, stem: str, suffix: str) -> str:
        return self._path("protokoll", _q(organ_key), f"{stem}.{suffix}")


@dataclass(frozen=True)
class JusteringView:
    notice: JusteringNotice
    justerad_on: date  # in the förbund's time zone
    last_day: date  # the last day the notice is (or was) on the board
    range: str  # '22–30'
    pdf: str
    html: str
    anchor: str  # the notice's id on the page
    uid: str  # the feed entry's permanent id
    updated: datetime  # UTC, for the feed


@dataclass(frozen=True)
class CallView:
    notice: CallNotice
    starts: datetime  # in the förbund's time zone
    anchor: str
    uid: str


@dataclass(frozen=True)
class BoardPage:
    board: Board
    site: Site
    links: Links
    today: date
    now: datetime  # UTC
    justeringar: list[JusteringView]
    kallelser: list[CallView]

    @property
    def uid(self) -> str:
        return _uid(self.board.key, "anslagstavla")

    @property
    def updated(self) -> datetime:
        """The feed's time: its newest entry, else now."""
        return max([j.updated for j in self.justeringar]
                   + [c.notice.announced_at for c in self.kallelser], default=self.now)


def _uid(*parts: str) -> str:
    """A permanent id (urn:uuid) that does not change with the host name."""
    return f"urn:uuid:{uuid5(NAMESPACE_URL, 'finsam-bot:' + ':'.join(parts))}"


def _justering(notice: JusteringNotice, board: Board, links: Links,
               tz: ZoneInfo) -> JusteringView:
    stem = protocol_stem(notice.meeting_date, notice.ordinal)
    last = notice.remove_on
    if notice.taken_down_on is not None:
        last = min(last, notice.taken_down_on - timedelta(days=1))
    posted_at = datetime.combine(notice.posted_on, datetime.min.time(), tzinfo=tz)
    return JusteringView(
        notice=notice, justerad_on=notice.justerad_at.astimezone(tz).date(), last_day=last,
        range=paragraph_range(list(notice.numbers)),
        pdf=links.protocol(notice.organ_key, stem, "pdf"),
        html=links.protocol(notice.organ_key, stem, "html"),
        anchor=f"protokoll-{notice.organ_key}-{stem}",
        uid=_uid(board.key, "protokoll", notice.organ_key, stem),
        updated=max(notice.justerad_at, posted_at.astimezone(UTC)).replace(microsecond=0))


def _call(notice: CallNotice, board: Board, tz: ZoneInfo) -> CallView:
    starts = notice.starts_at.astimezone(tz)
    return CallView(notice=notice, starts=starts,
                    anchor=f"kallelse-{notice.organ_key}-{starts.date().isoformat()}",
                    uid=_uid(board.key, "kallelse", notice.organ_key,
                             notice.starts_at.isoformat()))


def board_page(session: Session, board: Board, site: Site, links: Links, now: datetime,
               *, archived: bool = False) -> BoardPage:
    """The notices on the board today (or those taken down, for the archive)."""
    tz = ZoneInfo(board.timezone)
    today = now.astimezone(tz).date()
    if archived:
        rows = anslagstavla.archived_notices(session, board.forbund_id, today)
        calls: list[CallNotice] = []
    else:
        rows = anslagstavla.current_notices(session, board.forbund_id, today)
        calls = anslagstavla.coming_meetings(session, board.forbund_id, now, tz)
    return BoardPage(board, site, links, today, now.astimezone(UTC).replace(microsecond=0),
                     [_justering(n, board, links, tz) for n in rows],
                     [_call(c, board, tz) for c in calls])


def public_protocol(session: Session, board: Board, organ_key: str, stem: str,
                    now: datetime) -> protocol.Protocol | None:
    """The justerat, anslaget protokoll at /<förbund>/protokoll/<organ>/<stem>.*; None for
    any other address (unknown, not justerat, not yet anslaget, another förbund's)."""
    parsed = parse_stem(stem)
    if parsed is None:
        return None
    today = now.astimezone(ZoneInfo(board.timezone)).date()
    found = anslagstavla.public_meeting(session, board.forbund_id, organ_key, *parsed, today)
    if found is None:
        return None
    organ = tenants.organ_by_id(session, found[0])
    meeting = meetings.meeting_by_id(session, found[1])
    if organ is None or meeting is None:
        return None
    return protocol.build(session, organ, meeting, public=True)


_PDF_CACHE: OrderedDict[str, bytes] = OrderedDict()
_PDF_CACHE_SIZE = 16
_PDF_LOCK = threading.Lock()  # requests are answered in worker threads


def protocol_pdf(document: protocol.Protocol) -> bytes:
    """The protokoll as PDF: the sealed file of the justering when the seal could be made
    (protocol.build seals it and keeps the bytes), else the same PDF the chat gets.

    Kept per content (the protokoll is locked; only the BEVIS changes, at take-down), so a
    crawler does not make the bot write the same PDF again and again."""
    if document.sealed is not None:
        return document.sealed
    markdown, _ = protocol.render_protocol(document)
    key = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    with _PDF_LOCK:
        if key in _PDF_CACHE:
            _PDF_CACHE.move_to_end(key)
            return _PDF_CACHE[key]
    _, files = protocol.attachments(document)
    data = next(f.data for f in files if f.mimetype == PDF_MIME)
    with _PDF_LOCK:
        _PDF_CACHE[key] = data
        while len(_PDF_CACHE) > _PDF_CACHE_SIZE:
            _PDF_CACHE.popitem(last=False)
    return data


def protocol_html(document: protocol.Protocol) -> str:
    """The protokoll's body as HTML (user text escaped, raw HTML off), for the page."""
    markdown, _ = protocol.render_protocol(document)
    return markdown_to_html(markdown)
