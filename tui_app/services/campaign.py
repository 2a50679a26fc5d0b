"""Campaign packs: which are installed, which is current, importing a new one."""

from __future__ import annotations

from pathlib import Path

from tui_app.domain.ids import utc_now
from tui_app.domain.pack import AUTO_CAMPAIGN, Pack, parse_pack
from tui_app.services import attachments
from tui_app.services.context import Context
from tui_app.services.documents import check_templates as check_documents
from tui_app.services.report import check_template
from tui_app.services.tally import rebuild_facts
from tui_app.store import packs as pack_store
from tui_app.store import paperwork as paperwork_store
from tui_app.textfile import read_text


def installed(ctx: Context) -> list[Pack]:
    return ctx.installed_packs()


def use(ctx: Context, campaign_id: str) -> Pack:
    """Work in `campaign_id` from now on; `auto` goes back to the campaign of each day."""
    if campaign_id == AUTO_CAMPAIGN:
        ctx.update_settings({"campaign": ""})
        return ctx.pack()
    pack = ctx.pack(campaign_id)
    ctx.update_settings({"campaign": pack.id})
    return pack


def import_pack(ctx: Context, path: Path) -> Pack:
    """Install a pack from a TOML file (refused whole if anything in it is wrong)."""
    text = read_text(path)
    pack = parse_pack(text, str(path))
    check_template(pack, str(path))
    templates = check_documents(pack, path.parent, str(path), attachments.max_bytes(ctx))
    with ctx.db.transaction():
        pack_store.put(ctx.db, pack.id, text, str(path), utc_now())
        paperwork_store.put_templates(ctx.db, pack.id, templates)
    ctx.forget_packs()
    rebuild_facts(ctx, pack.id)
    return pack
