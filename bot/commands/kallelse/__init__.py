"""The next sammanträde: `sammantraden.py` (!sammanträde, !sammanträden: planned meetings
and their reminders), `commands.py` (!dagordning, !kallelse) and `document.py` (the kallelse
with föredragningslista in every format). Texts in bot/templates/kallelse.md.j2 and
replies/{kallelse,sammantraden}.md.j2."""
