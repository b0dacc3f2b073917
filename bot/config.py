"""The bot's configuration: a TOML file, defaults for a first try, env overrides for secrets."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clean import clean_text

ROLES = {
    "ordförande": "ordförande",
    "vice ordförande": "vice ordförande",
    "ledamot": "ledamot",
    "ersättare": "ersättare",
    "förbundschef": "förbundschef",
    "biträdande förbundschef": "biträdande förbundschef",
    "bitr. förbundschef": "biträdande förbundschef",
    "sekreterare": "sekreterare",
    "adjungerad": "adjungerad",
}
ORGAN_KINDS = ("styrelse", "lsg", "beredningsgrupp", "arbetsutskott")
NUMBERING_MODES = ("år", "möte")
# What an organ's meetings produce: a protokoll (justerat, anslaget, sealed) or
# minnesanteckningar (notes that are simply sent; an LSG usually keeps these).
DOCUMENT_KINDS = ("protokoll", "minnesanteckningar")
DEFAULT_DATABASE_URL = "sqlite:///finsam-bot.db"


class ConfigError(Exception):
    """A config problem, told in Swedish and naming the key: `code` names a macro in
    templates/replies/konfiguration.md.j2 and the values fill it in. A ready sentence (not
    an identifier) is kept as it is, for the modules whose texts are not in templates yet."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(_say(code, **values) if code.isidentifier() else code)


def _say(code: str, **values: Any) -> str:
    from bot.render import render  # bot.render loads the templates; config comes first

    return render("konfiguration", code, **values).text


@dataclass
class MemberConfig:
    name: str
    role: str = "ledamot"
    organisation: str = ""
    organisation_short: str = ""
    ids: list[str] = field(default_factory=list)


@dataclass
class OrganConfig:
    key: str
    name: str
    kind: str = "styrelse"
    numbering: str = "år"
    document: str = "protokoll"  # one of DOCUMENT_KINDS (config key `protokoll`)
    rooms: list[str] = field(default_factory=list)
    secretaries: list[str] = field(default_factory=list)
    members: list[MemberConfig] = field(default_factory=list)
    # The whole [[forbund.organ]] table, for capabilities that read keys of their own.
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class InsatsConfig:
    """An insats the config names (`insatser` of a [[forbund]]): put into the förbund's
    register at start. A period or owner given here wins over one set in the chat."""

    name: str
    start_year: int | None = None
    end_year: int | None = None  # None with a start_year: ongoing ("2021–")
    owner: str = ""
    aliases: list[str] = field(default_factory=list)


@dataclass
class ForbundConfig:
    key: str
    name: str
    archive_location: str = "Samordningsförbundets kansli"
    timezone: str = "Europe/Stockholm"
    organs: list[OrganConfig] = field(default_factory=list)
    # The förbund's certificate (PKCS#12) that seals justerade protokoll; "" = a
    # self-signed one the bot makes. The password comes from sigill_password_env(key).
    sigill: str = ""
    insatser: list[InsatsConfig] = field(default_factory=list)
    # The whole [[forbund]] table, for capabilities that read keys of their own.
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class Config:
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/Stockholm"
    prefix: str = "!"
    console_user: str = ""
    forbund: list[ForbundConfig] = field(default_factory=list)
    matrix: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, Any] = field(default_factory=dict)
    web: dict[str, Any] = field(default_factory=dict)  # the public anslagstavla (bot.web)
    source: str = "standardinställningar"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def default_config() -> Config:
    """What `bot console` uses with no file: SQLite here, one förbund with a Styrelse."""
    return Config(
        forbund=[
            ForbundConfig(
                key="forbundet",
                name="Samordningsförbundet",
                organs=[
                    OrganConfig(
                        key="styrelsen",
                        name="Styrelsen",
                        rooms=["console"],
                        members=[MemberConfig(name="Sekreteraren", role="sekreterare")],
                    )
                ],
            )
        ],
        console_user="Sekreteraren",
    )


class Reader:
    """Reads typed values from a TOML table and names the full key in every error.
    Capabilities use it on `raw` tables and on [matrix]/[teams] for their own keys."""

    def __init__(self, table: Any, path: str, source: str) -> None:
        if not isinstance(table, dict):
            raise ConfigError("inte_tabell", källa=source, sökväg=path)
        self.table = table
        self.path = path
        self.source = source

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, what: str, **values: Any) -> ConfigError:
        """`what` is a macro of konfiguration.md.j2 with `values` (or, in modules not yet
        moved to templates, the words themselves)."""
        if what.isidentifier():
            what = _say(what, **values)
        return ConfigError("nyckel", källa=self.source, nyckel=self.key(name), vad=what)

    def str(self, name: str, default: str | None = None) -> str:
        value = self.table.get(name, default)
        if value is None:
            raise self.fail(name, "saknas")
        if not isinstance(value, str):
            raise self.fail(name, "inte_text")
        return value.strip()

    def text(self, name: str, default: str | None = None) -> str:
        """A text people read in replies and documents (a name, a place): cleaned like chat
        text, since a TOML escape such as \\uFFFF can hold what no document can."""
        return clean_text(self.str(name, default)).strip()

    def str_list(self, name: str) -> list[str]:
        value = self.table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "inte_textlista")
        return [v.strip() for v in value if v.strip()]

    def tables(self, name: str) -> list[Reader]:
        value = self.table.get(name, [])
        if not isinstance(value, list):
            raise self.fail(name, "inte_tabellista", nyckel=self.key(name))
        return [Reader(v, f"{self.key(name)}[{i}]", self.source) for i, v in enumerate(value)]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.str(name, default).lower()
        if value not in choices:
            raise self.fail(name, "fel_val", val=list(choices), värde=value)
        return value

    def timezone(self, name: str, default: str) -> str:
        value = self.str(name, default)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(name, "okänd_tidszon", värde=value) from None
        return value


def _member(r: Reader) -> MemberConfig:
    role = r.str("role", "ledamot").lower()
    if role not in ROLES:
        raise r.fail("role", "fel_roll", roller=list(ROLES), värde=role)
    return MemberConfig(
        name=r.text("name"),
        role=ROLES[role],
        organisation=r.text("organisation", ""),
        organisation_short=r.text("organisation_short", ""),
        ids=r.str_list("ids"),
    )


def _organ(r: Reader) -> OrganConfig:
    name = r.text("name")
    return OrganConfig(
        key=r.text("key", _slug(name)),
        name=name,
        kind=r.choice("kind", ORGAN_KINDS, "styrelse"),
        numbering=r.choice("numrering", NUMBERING_MODES, "år"),
        document=r.choice("protokoll", DOCUMENT_KINDS, "protokoll"),
        rooms=r.str_list("rooms"),
        secretaries=r.str_list("secretaries"),
        members=[_member(m) for m in r.tables("member")],
        raw=dict(r.table),
    )


def _forbund(r: Reader, default_tz: str) -> ForbundConfig:
    name = r.text("name")
    key = r.text("key", _slug(name))
    organs = [_organ(o) for o in r.tables("organ")]
    if not organs:
        raise r.fail("organ", "inget_organ")
    keys = [o.key for o in organs]
    if len(set(keys)) != len(keys):
        raise r.fail("organ", "samma_organ")
    return ForbundConfig(
        key=key,
        name=name,
        archive_location=r.text("archive_location", "Samordningsförbundets kansli"),
        timezone=r.timezone("timezone", default_tz),
        organs=organs,
        sigill=_sigill(r, key),
        insatser=_insatser(r),
        raw=dict(r.table),
    )


_INSATS_KEYS = {"namn": "name", "name": "name", "period": "period", "ägare": "owner",
                "agare": "owner", "alias": "aliases"}
_PERIOD = re.compile(r"^((?:19|20)\d{2})(?:\s*[-–—]\s*((?:19|20)\d{2})?)?$")


def _insatser(r: Reader) -> list[InsatsConfig]:
    """`insatser = ["Vidare Vy", {namn = "Samverkansprojekt Äpplet", period = "2021–2023",
    ägare = "Örnsköldsviks kommun", alias = ["Äpplet"]}]`, or the same as
    [[forbund.insatser]] tables."""
    value = r.table.get("insatser", [])
    if not isinstance(value, list):
        raise r.fail("insatser", "insatser_inte_lista")
    found: list[InsatsConfig] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        if isinstance(item, str):
            item = {"namn": item}
        if not isinstance(item, dict):
            raise r.fail(f"insatser[{index}]", "insats_fel_typ")
        one = Reader(item, r.key(f"insatser[{index}]"), r.source)
        insats = _insats(one)
        if not insats.name:
            continue
        for name in (insats.name, *insats.aliases):
            key = " ".join(re.sub(r"[\W_]+", " ", _fold(name)).split())
            if key in seen:
                raise one.fail("namn" if name == insats.name else "alias", "insats_dubbel",
                               namn=name, redan=seen[key])
            seen[key] = name
        found.append(insats)
    return found


def _insats(r: Reader) -> InsatsConfig:
    unknown = [k for k in r.table if k not in _INSATS_KEYS]
    if unknown:
        raise r.fail(unknown[0], "insats_okänd_nyckel")
    keys = {_INSATS_KEYS[k]: k for k in r.table}
    if "name" not in keys:
        raise r.fail("namn", "saknas")
    insats = InsatsConfig(name=" ".join(r.text(keys["name"]).split())[:200])
    if "owner" in keys:
        insats.owner = r.text(keys["owner"])[:200]
    if "period" in keys:
        insats.start_year, insats.end_year = _period(r, keys["period"])
    if "aliases" in keys:
        raw = r.table[keys["aliases"]]
        aliases = [raw] if isinstance(raw, str) else r.str_list(keys["aliases"])
        insats.aliases = [" ".join(clean_text(a).split())[:200] for a in aliases if a.strip()]
    return insats


def _period(r: Reader, name: str) -> tuple[int, int | None]:
    """"2020–2022", "2021" (that year) or "2021–" (ongoing); a year alone may be a number."""
    raw = r.table[name]
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else r.str(name)
    match = _PERIOD.match(text.strip())
    if match is None:
        raise r.fail(name, "fel_period", text=text)
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else (None if re.search("[-–—]", text)
                                                     else start)
    if end is not None and end < start:
        raise r.fail(name, "period_baklänges", text=text)
    return start, end


def sigill_password_env(forbund_key: str) -> str:
    """BOT_SIGILL_PASSWORD_<KEY>: the förbund key in capitals, other characters as _."""
    return "BOT_SIGILL_PASSWORD_" + "".join(c if c.isalnum() else "_"
                                             for c in forbund_key.upper())


def sigill_password(forbund_key: str) -> str | None:
    return os.environ.get(sigill_password_env(forbund_key))


def _sigill(r: Reader, forbund_key: str) -> str:
    """The certificate file, relative to the config file; checked now so that a wrong path
    or password stops the start instead of a justering."""
    name = r.str("sigill", "")
    if not name:
        return ""
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = Path(r.source).parent / path
    env = sigill_password_env(forbund_key)
    try:
        data = path.read_bytes()
    except OSError:
        raise r.fail("sigill", "sigill_oläsbart", sökväg=str(path)) from None
    password = sigill_password(forbund_key)
    if password is None:
        raise r.fail("sigill", "sigill_utan_lösenord", miljö=env)
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        raise r.fail("sigill", "sigill_fel_lösenord", miljö=env) from None
    if key is None or certificate is None:
        raise r.fail("sigill", "sigill_ofullständigt")
    return str(path.resolve())


def _fold(text: str) -> str:
    from bot.swedish import fold

    return fold(text)


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in _fold(text)).split()) or "x"


def parse_config(data: dict[str, Any], source: str) -> Config:
    top = Reader(data, "", source)
    bot = Reader(data.get("bot", {}), "bot", source)
    timezone = bot.timezone("timezone", "Europe/Stockholm")
    prefix = bot.str("prefix", "!")
    if not prefix or " " in prefix:
        raise bot.fail("prefix", "fel_prefix")
    forbund = [_forbund(f, timezone) for f in top.tables("forbund")]
    if not forbund:
        raise top.fail("forbund", "inget_förbund")
    keys = [f.key for f in forbund]
    if len(set(keys)) != len(keys):
        raise top.fail("forbund", "samma_förbund")
    for section in ("matrix", "teams", "web"):
        if not isinstance(data.get(section, {}), dict):
            raise top.fail(section, "en_tabell")
    config = Config(
        database_url=bot.str("database_url", DEFAULT_DATABASE_URL),
        timezone=timezone,
        prefix=prefix,
        console_user=bot.str("console_user", ""),
        forbund=forbund,
        matrix=dict(data.get("matrix", {})),
        teams=dict(data.get("teams", {})),
        web=dict(data.get("web", {})),
        source=source,
    )
    apply_env(config)
    return config


def apply_env(config: Config) -> None:
    """Secrets and the database URL may come from the environment instead of the file."""
    if url := os.environ.get("BOT_DATABASE_URL"):
        config.database_url = url
    for env, section, key in (
        ("BOT_MATRIX_PASSWORD", config.matrix, "password"),
        ("BOT_MATRIX_ACCESS_TOKEN", config.matrix, "access_token"),
        ("BOT_TEAMS_APP_PASSWORD", config.teams, "app_password"),
    ):
        if value := os.environ.get(env):
            section[key] = value


def load_config(path: str | Path | None) -> Config:
    if path is None:
        config = default_config()
        apply_env(config)
        return config
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("fil_saknas", sökväg=str(path)) from None
    except OSError as exc:
        raise ConfigError("fil_oläslig", sökväg=str(path), fel=exc.strerror) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("inte_utf8", sökväg=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("ogiltig_toml", sökväg=str(path), fel=str(exc)) from None
    return parse_config(data, str(path))
