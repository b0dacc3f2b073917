"""Matrix transport (bot/transports/matrix/bot.py and the modules beside it)."""

from bot.transports.matrix.bot import (
    _REPLY_FALLBACK,
    MatrixBot,
    MatrixSetupError,
    message_content,
    serve,
)

__all__ = ["_REPLY_FALLBACK", "MatrixBot", "MatrixSetupError", "message_content", "serve"]
