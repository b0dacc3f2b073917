"""The protokollsutdrag: `commands.py` (!utdrag §N), `document.py` (one § with the
protokoll's header, as PDF and DOCX) and `cli.py` (`bot utdrag`). Template
bot/templates/utdrag.md.j2."""
