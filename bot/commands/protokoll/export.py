"""`bot export --år ÅÅÅÅ --organ NAMN`: every justerat protokoll of a year for the archive,
one file per meeting and format, and a register of all their decisions (CSV)."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.clean import clean_text
from bot.commands.protokoll import build as protocol
from bot.render import render
from bot.spreadsheet_cells import csv_text
from storage import justering, tenants
from storage.db import Database
from storage.tenants import OrganRef

# Semicolons and a BOM: what Excel with Swedish settings opens without an import dialog.
CSV_HEADER = ["Sammanträdesdatum", "Paragraf", "Rubrik", "Beslut nr", "Beslut",
              "Omedelbart justerad", "Justerat", "Anslaget uppsatt", "Anslaget tas ned tidigast"]


class ExportError(Exception):
    """Told to the admin in Swedish: `code` names a macro in templates/replies/export.md.j2."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(render("export", code, **values).text)


@dataclass
class ExportResult:
    folder: Path
    organ: OrganRef
    meetings: int = 0
    decisions: int = 0
    files: list[Path] = field(default_factory=list)


def find_organ(db: Database, name: str, forbund: str | None) -> OrganRef:
    with db.transaction() as session:
        matches = [o for o in tenants.find_organs(session, None, name)
                   if forbund is None or forbund in (o.forbund_key, o.forbund_name)]
    if not matches:
        raise ExportError("organ_saknas", namn=name)
    if len({o.organ_id for o in matches}) > 1:
        raise ExportError("flera_förbund", namn=name,
                          förbund=sorted(o.forbund_key for o in matches))
    return matches[0]


def export_year(db: Database, organ: OrganRef, year: int, folder: Path) -> ExportResult:
    result = ExportResult(folder, organ)
    rows: list[list[str]] = []
    with db.transaction() as session:
        found = justering.justerade_in_year(session, organ.organ_id, year)
        if not found:
            raise ExportError("inga_justerade", organ=organ.organ_name, år=year)
        folder.mkdir(parents=True, exist_ok=True)
        stems: set[str] = set()
        for meeting in found:
            document = protocol.build(session, organ, meeting)
            _, files = protocol.attachments(document)
            stem = document.stem
            suffix = 2
            while stem in stems:  # two meetings on one day
                stem = f"{document.stem}-{suffix}"
                suffix += 1
            stems.add(stem)
            for attachment in files:
                path = folder / (stem + attachment.filename[len(document.stem):])
                path.write_bytes(attachment.data)
                result.files.append(path)
            result.meetings += 1
            rows.extend(_decision_rows(document))
    result.decisions = len(rows)
    register = folder / f"beslut-{organ.organ_key}-{year}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    register.write_text(buffer.getvalue(), encoding="utf-8-sig")
    result.files.append(register)
    return result


def _decision_rows(document: protocol.Protocol) -> list[list[str]]:
    anslag = document.anslag
    justerad = document.justerad_at.date().isoformat() if document.justerad_at else ""
    rows = []
    for view in document.paragraphs:
        immediate = (document.local(view.paragraph.justerad_at).date().isoformat()
                     if view.paragraph.justerad_at else "")
        for index, entry in enumerate(view.of_kind("beslut"), start=1):
            rows.append([
                # Typed text: cleaned as the documents are, and never a formula in Excel.
                document.meeting.date.isoformat(), f"§ {view.number}",
                csv_text(clean_text(view.title)), str(index), csv_text(clean_text(entry.text)),
                immediate, justerad,
                anslag.posted_on.isoformat() if anslag else "",
                anslag.remove_on.isoformat() if anslag else "",
            ])
    return rows


def run_export(db: Database, args: argparse.Namespace) -> int:
    """The `bot export` subcommand: 0 when files were written."""
    try:
        organ = find_organ(db, args.organ, args.forbund)
        folder = Path(args.out or f"export-{organ.organ_key}-{args.year}")
        result = export_year(db, organ, args.year, folder)
    except ExportError as error:
        print(error, file=sys.stderr)
        return 1
    print(render("export", "klar", förbund=organ.forbund_name, organ=organ.organ_name,
                 år=args.year, protokoll=result.meetings, beslut=result.decisions,
                 filer=len(result.files), mapp=str(folder)).text)
    return 0
