"""`bot utdrag --organ NAMN --år ÅÅÅÅ §N`: a protokollsutdrag written to files, for the
secretary who sends it by mail."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.commands.protokoll.export import ExportError, find_organ
from bot.commands.utdrag import document as utdrag
from bot.dates import parse_date
from bot.render import render
from storage import meetings, paragraphs
from storage.db import Database
from storage.tenants import OrganRef


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("utdrag", help="skriv ett protokollsutdrag av en paragraf")
    parser.add_argument("--config", help="konfigurationsfil (TOML)")
    parser.add_argument("--organ", required=True, help="organets namn eller key")
    parser.add_argument("--år", "--ar", "--year", dest="year", type=int,
                        help="paragrafens år (numrering per år)")
    parser.add_argument("--datum", dest="day",
                        help="sammanträdesdatum ÅÅÅÅ-MM-DD (numrering per sammanträde)")
    parser.add_argument("--förbund", "--forbund", dest="forbund",
                        help="förbundets key, om flera förbund har organet")
    parser.add_argument("--ut", "--out", dest="out", default=".",
                        help="mapp att skriva till (standard: den aktuella)")
    parser.add_argument("paragraf", help="paragrafen, t.ex. §26")


def run(db: Database, args: argparse.Namespace) -> int:
    """0 when the PDF and DOCX were written."""
    try:
        organ = find_organ(db, args.organ, args.forbund)
    except ExportError as error:
        print(error, file=sys.stderr)
        return 1
    raw = args.paragraf.replace("§", "").strip()
    if not raw.isdecimal():
        print(render("utdrag", "cli_ogiltig_paragraf", text=args.paragraf).text,
              file=sys.stderr)
        return 1
    now = datetime.now(ZoneInfo(organ.timezone))
    with db.transaction() as session:
        series = _series(session, organ, args, now)
        found = paragraphs.find_paragraph(session, organ.organ_id, series or "", int(raw))
        if series is None or found is None:
            print(render("utdrag", "cli_paragraf_finns_inte", nummer=int(raw), organ=organ,
                         år=args.year, datum=args.day).text, file=sys.stderr)
            return 1
        document = utdrag.build(session, organ, found, now, "")
        files = utdrag.attachments(document)
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    for attachment in files:
        (folder / attachment.filename).write_bytes(attachment.data)
    print(render("utdrag", "skrivet", u=document,
                 filer=[str(folder / a.filename) for a in files]).text)
    return 0


def _series(session: Session, organ: OrganRef, args: argparse.Namespace, now: datetime
            ) -> str | None:
    """The § series: the year (år-numbering), or the meeting of `--datum`."""
    if organ.numbering == "år":
        return str(args.year or now.year)
    day = parse_date(args.day or "")
    found = meetings.meetings_on(session, organ.organ_id, day) if day else []
    return paragraphs.series_for("möte", found[-1]) if found else None
