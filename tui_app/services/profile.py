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
    if "badge" in changes:
        changes["inspector_id"] = changes["badge"]
    ctx.update_settings(changes)
    return changes
