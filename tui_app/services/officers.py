"""Who goes on a visit: today's pair of officers, prefilled in every form and CLI add."""

from __future__ import annotations

from tui_app.services.context import Context


def default_officers(context: Context) -> list[dict[str, str]]:
    """Today's pair from `fieldlog init`: the inspector and their partner."""
    s = context.settings
    pair = [(s.get("inspector_name"), s.get("badge")),
            (s.get("partner_name"), s.get("partner_badge"))]
    return [{"name": name, "badge": badge or ""} for name, badge in pair if name]
