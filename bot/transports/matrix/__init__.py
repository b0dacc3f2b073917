"""Matrix transport: the bot as a Matrix user (matrix-nio), in any number of rooms. Split by
concern: bot.py (MatrixBot: events and commands), session.py (login), sync.py (sync and
gaps), rooms.py (rooms side by side, each in order), crypto.py (messages whose key is
late), files.py (files for commands), sending.py (replies before reminders), polls.py
(votes as polls), keystore.py (nio's key store), config.py ([matrix] settings)."""

# Before any nio import: matrix-nio's store pulls in peewee, which would load psycopg.
import bot.transports.nio_light  # noqa: F401, I001  (spares psycopg on SQLite)
from bot.transports.matrix.bot import _REPLY_FALLBACK, MatrixBot, serve
from bot.transports.matrix.common import TRANSPORT
from bot.transports.matrix.sending import message_content
from bot.transports.matrix.session import MatrixSetupError

__all__ = ["TRANSPORT", "_REPLY_FALLBACK", "MatrixBot", "MatrixSetupError", "message_content",
           "serve"]
