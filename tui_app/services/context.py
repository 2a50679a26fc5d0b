"""The working context every use case needs: the open database, settings, packs.

Opened once per CLI command or TUI session. It installs the shipped campaign packs
on first use, so a fresh machine works on embedded defaults with no setup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from tui_app.domain.ids import new_id, utc_now
from tui_app.domain.pack import Pack, parsed
from tui_app.errors import FieldLogError
from tui_app.paths import PACKS_DIR
from tui_app.services import backups
from tui_app.store import packs as pack_store
from tui_app.store import settings as setting_store
from tui_app.store.db import Database

# The year-round pack used on days when no campaign of the installed packs is running.
ROUTINE_CAMPAIGN = "routine"
DEFAULT_TZ = "Asia/Shanghai"




def shipped_packs() -> dict[str, str]:
    """File name → TOML text of the packs that ship inside the package."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(PACKS_DIR.glob("*.toml"))}


@dataclass
class Context:
    """An open local database with its settings and installed packs."""

    db: Database
    settings: dict[str, str]
    _packs: dict[str, Pack] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.get("timezone", DEFAULT_TZ))

    @property
    def inspector_id(self) -> str:
        return self.settings["inspector_id"]

    @property
    def device_id(self) -> str:
        return self.settings["device_id"]

    @property
    def campaign_id(self) -> str:
        """The campaign in use today (see `campaign_on`)."""
        return self.campaign_on(self.today())

    @property
    def chosen_campaign(self) -> str | None:
        """The campaign picked with `fieldlog campaign use`, or None (automatic)."""
        return self.settings.get("campaign") or None

    def campaign_on(self, day: dt.date) -> str:
        """The campaign a record of `day` belongs to when it names none.

        The one chosen with `campaign use`, else the campaign running on that day (the
        latest to start when several overlap), else the year-round routine pack: an
        inspector logs a visit during 中秋守护 under 中秋守护, and one made after it ended
        under routine supervision, without having to say so.
        """
        return self.chosen_campaign or self.active_on(day)

    def active_on(self, day: dt.date) -> str:
        running = [p for p in self.installed_packs() if not p.year_round and p.covers(day)]
        if running:
            return max(running, key=lambda p: (p.period_from, p.id)).id
        return ROUTINE_CAMPAIGN

    def installed_packs(self) -> list[Pack]:
        return [self.pack(pack_id) for pack_id in pack_store.ids(self.db)]

    def today(self) -> dt.date:
        return dt.datetime.now(self.tz).date()

    def pack(self, campaign_id: str | None = None) -> Pack:
        """The installed pack for `campaign_id` (default: the current campaign)."""
        campaign_id = campaign_id or self.campaign_id
        if campaign_id not in self._packs:
            stored = pack_store.get(self.db, campaign_id)
            if stored is None:
                raise FieldLogError("campaign.unknown", id=campaign_id)
            source, origin = stored
            self._packs[campaign_id] = parsed(source, origin)
        return self._packs[campaign_id]

    def forget_packs(self) -> None:
        self._packs.clear()

    def update_settings(self, values: dict[str, str]) -> None:
        setting_store.put(self.db, values)
        self.settings.update(values)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_context(path: Path | str, *, read_only: bool = False) -> Context:
    """Open (creating and migrating if needed) the database at `path`.

    `read_only` opens an existing database for reading only: nothing is written, not
    even the first-run settings, so lists and tallies work on a read-only copy."""
    db = Database(path, read_only=read_only)
    settings = setting_store.get_all(db)
    fresh = {}
    if "device_id" not in settings:
        fresh["device_id"] = new_id()
    if "inspector_id" not in settings:
        device = settings.get("device_id") or fresh["device_id"]
        fresh["inspector_id"] = settings.get("badge") or f"device-{device[-12:]}"
        fresh[backups.DAY_KEY] = dt.datetime.now(ZoneInfo(DEFAULT_TZ)).date().isoformat()  # nothing to keep yet
    if fresh and not read_only:
        settings = setting_store.put_missing(db, fresh)
    else:
        settings.update(fresh)
    ctx = Context(db, settings)
    if not read_only:
        install_shipped(ctx)
        backups.daily(ctx)  # the first start of the day keeps a copy
    return ctx


def open_for_reading(path: Path | str) -> Context:
    """The database opened normally, or read-only when the file, its folder or the medium
    cannot be written (a copy on a CD, a locked share): looking must still work there."""
    try:
        return open_context(path)
    except FieldLogError as exc:
        if exc.key != "db.read_only":
            raise
    return open_context(path, read_only=True)


def install_shipped(ctx: Context) -> list[str]:
    """Install or refresh the shipped packs; a pack imported by the user is left alone."""
    changed = []
    for name, text in shipped_packs().items():
        if text in pack_store.sources_from(ctx.db, name):
            continue  # installed as shipped: `Context.pack` parses only the packs used
        pack = parsed(text, name)
        stored = pack_store.get(ctx.db, pack.id)
        if stored is None or (stored[1] == name and stored[0] != text):
            pack_store.put(ctx.db, pack.id, text, name, utc_now())
            changed.append(pack.id)
        elif stored[0] == text:
            ctx._packs[pack.id] = pack  # already parsed: spare the next lookup a second parse
    if changed:
        ctx.forget_packs()
        from tui_app.services.tally import rebuild_facts

        for pack_id in changed:
            rebuild_facts(ctx, pack_id)
    return changed
