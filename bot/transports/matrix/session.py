"""Login: the bot's device kept between starts (credentials.json in store_path), a
revoked token replaced by a new login.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from nio import AsyncClient, ErrorResponse, LoginResponse, WhoamiResponse

from bot.config import ConfigError
from bot.transports.matrix.common import _reason

log = logging.getLogger(__name__)


class MatrixSetupError(ConfigError):
    """The homeserver refused the bot's account; told in Swedish."""


class Session:
    """Logging in and staying logged in, for MatrixBot."""

    @property
    def _credentials_file(self) -> Path:
        return self.settings.store_path / "credentials.json"

    async def _login(self, revoked: str = "") -> None:
        """Reuse the device of an earlier start (its keys are in store_path); log in only
        when there is none, so restarts never pile up devices."""
        s = self.settings
        saved = self._load_credentials()
        if saved is not None:
            self.client.restore_login(s.user_id, saved["device_id"], saved["access_token"])
            return
        if s.access_token and s.access_token != revoked:
            self.client.access_token = s.access_token
            self.client.user_id = s.user_id
            who = await self._retry("whoami", self.client.whoami)
            if not isinstance(who, WhoamiResponse) or who.user_id != s.user_id:
                raise MatrixSetupError("matrix_token_gäller_inte", user_id=s.user_id,
                                       homeserver=s.homeserver, skäl=_reason(who))
            if not who.device_id:
                raise MatrixSetupError("matrix_ingen_enhet")
            self.client.restore_login(s.user_id, who.device_id, s.access_token)
        else:
            response = await self._retry("login", lambda: self.client.login(
                password=s.password, device_name=s.device_name))
            if not isinstance(response, LoginResponse):
                raise MatrixSetupError("matrix_inloggning_misslyckades", user_id=s.user_id,
                                       homeserver=s.homeserver, skäl=_reason(response))
        self._save_credentials()

    def _load_credentials(self) -> dict[str, str] | None:
        try:
            saved = json.loads(self._credentials_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if (saved.get("user_id") != self.settings.user_id
                or saved.get("homeserver") != self.settings.homeserver
                or not saved.get("device_id") or not saved.get("access_token")):
            return None
        if self.settings.access_token and saved["access_token"] != self.settings.access_token:
            return None  # a new token in the config replaces the saved login
        return saved

    def _save_credentials(self) -> None:
        data = {"homeserver": self.settings.homeserver, "user_id": self.client.user_id,
                "device_id": self.client.device_id, "access_token": self.client.access_token}
        tmp = self._credentials_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(self._credentials_file)

    async def _relogin(self) -> None:
        """The stored token was revoked (device logged out): start over with the password,
        or with the configured token if it is not the one that was revoked."""
        revoked = self.client.access_token
        self._credentials_file.unlink(missing_ok=True)  # a restart must not reuse it
        if not self.settings.password and self.settings.access_token in ("", revoked):
            raise MatrixSetupError("matrix_token_återkallad", user_id=self.settings.user_id)
        log.warning("Matrix: åtkomsttoken återkallad; loggar in på nytt")
        self.client.access_token = ""
        self.rooms_known.clear()  # the new client knows no rooms until its first sync
        await self.client.close()
        self.client = AsyncClient(self.settings.homeserver, self.settings.user_id,
                                  store_path=str(self.settings.store_path),
                                  config=self.client.config)
        self.client.add_response_callback(self._on_error, ErrorResponse)
        await self._login(revoked=revoked)
