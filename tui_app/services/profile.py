"""Who works on this laptop: the inspector, their partner, unit, central store, time zone.

`fieldlog init` and the app's settings screen both save through `update`, so the
two cannot disagree on what is checked (the time zone) or what follows from what (the
inspector's id is their badge number).
"""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui_app.errors import Problem, ValidationFailed
from tui_app.services.context import Context

KEYS = ("inspector_name", "badge", "partner_name", "partner_badge", "unit", "central_url",
        "timezone")


def current(ctx: Context) -> dict[str, str]:
    return {key: ctx.settings.get(key, "") for key in KEYS}


def update(ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
    """Save the given settings (empty ones are left as they were); returns what was saved."""
    changes = {k: v.strip() for k, v in values.items() if k in KEYS and v and v.strip()}
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
