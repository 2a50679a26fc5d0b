"""Who works on this laptop: the inspector, their partner, unit, central store, time zone.

`fieldlog init` and the app's settings screen both save through `update`, so the
two cannot disagree on what is checked (the time zone) or what follows from what (the
inspector's id is their badge number).
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui_app.domain import input_limits
from tui_app.errors import Problem, ValidationFailed
from tui_app.services.context import Context

KEYS = ("inspector_name", "badge", "partner_name", "partner_badge", "unit", "central_url",
        "timezone")
# On/off settings, stored as "1"/"0"; off unless turned on (auto-sync needs a deliberate yes).
FLAGS = ("auto_sync",)


def current(ctx: Context) -> dict[str, str | bool]:
    values: dict[str, str | bool] = {key: ctx.settings.get(key, "") for key in KEYS}
    values.update({key: flag(ctx, key) for key in FLAGS})
    return values


def flag(ctx: Context, key: str) -> bool:
    return ctx.settings.get(key) == "1"


def update(ctx: Context, values: Mapping[str, str | bool]) -> dict[str, str]:
    """Save the given settings (empty texts are left as they were); returns what was saved."""
    changes = {k: v.strip() for k, v in values.items()
               if k in KEYS and isinstance(v, str) and v.strip()}
    changes.update({k: "1" if values[k] else "0" for k in FLAGS if k in values})
    refused = input_limits.problems(changes)
    if refused:
        raise ValidationFailed(refused)
    if "timezone" in changes:
        try:
            ZoneInfo(changes["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed([Problem("timezone", "cli.init.bad_timezone",
                                            {"tz": changes["timezone"]})]) from None
    if "central_url" in changes:
        from tui_app.sync.central import kind_of_url

        kind_of_url(changes["central_url"])  # an unknown scheme is refused, never stored
    if "badge" in changes:
        changes["inspector_id"] = changes["badge"]
    if "central_url" in changes:
        changes["central_url"] = without_password(changes["central_url"])[0]
    ctx.update_settings(changes)
    return changes


def without_password(url: str) -> tuple[str, bool]:
    """A central URL with any password taken out, and whether there was one. A password
    never goes into the local settings: PostgreSQL reads it from ~/.pgpass (or a service
    file), and the HTTP service needs a token instead (`save_service`)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url, False
    if not password:
        return url, False
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host)), True


def save_service(ctx: Context, *, token: str | None = None, ca_file: str | None = None,
                 insecure: bool | None = None) -> dict[str, str]:
    """Keep how this laptop reaches the HTTP service: its token (the database file is then
    narrowed to its user, 0600), a CA file for a bureau's own certificates, and the
    explicit consent to plain http. FIELDLOG_TOKEN overrides the saved token."""
    from pathlib import Path

    values: dict[str, str] = {}
    if token:
        values["central_token"] = token.strip()
    if ca_file:
        path = Path(ca_file).expanduser().resolve()
        if not path.is_file():
            raise ValidationFailed([Problem("--ca-file", "cli.init.no_ca_file",
                                            {"path": str(path)})])
        values["central_ca_file"] = str(path)
    if insecure is not None:
        values["central_insecure"] = "1" if insecure else "0"
    if values:
        ctx.update_settings(values)
    if token:
        ctx.db.make_private()
    return values


def token_hint(ctx: Context) -> str:
    """The saved token as it may be shown: its public id only, never the secret."""
    token = ctx.settings.get("central_token", "")
    prefix, _, rest = token.partition(".")
    return f"{prefix}.{rest.partition('.')[0]}.…" if token else ""
