"""The protokoll document: `commands.py` (!protokoll), `build.py` (the protokoll of a meeting
from the store, rendered), `documents*.py` (PDF and DOCX from a document template's
Markdown, also for the kallelse and the utdrag), `seal.py` and `seal_cli.py` (the seal and
`bot verifiera`) and `export.py` (`bot export`, the year's protokoll for the archive). The
template is bot/templates/protokoll.md.j2."""
