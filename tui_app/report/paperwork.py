"""执法文书 from .docx templates (docxtpl: Jinja tags inside a Word document).

A bureau edits the templates in Word; the tags it may use are the names of
`CONTEXT_NAMES`, which the services fill from the record. A template naming anything
else is refused when its pack is imported, with the file and the tag, rather than
printing a document with a hole in it in front of a shop owner.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from tui_app.errors import FieldLogError

# What every template is given (services/documents.py builds it).
CONTEXT_NAMES = frozenset({
    "doc",          # name, number, date (2026年9月21日), index and count (指令书 2/3)
    "numbers",      # every document number of the record, by key
    "unit",         # the bureau (执法机关)
    "campaign",     # name
    "action",       # id, name
    "record",       # every stored field, plus started_local and day
    "entity",       # name, uscc, kind, category, address, township, contact
    "officers",     # [{name, badge}] (执法证号 as badge)
    "officer1", "officer2",
    "fields",       # the action's form answers, [{label, value}]
    "measures",     # rectification_ordered, directives, sealed_units, seized
    "items",        # 清单 rows: [{n, item, unit, quantity, value}] (sealed units included)
    "findings", "result",
    "attachments",  # [{name, media_type, exif_time}]
    "inspector",    # who prints: name, badge
})


def _template(content: bytes, source: str):  # noqa: ANN202 - docxtpl's DocxTemplate
    from docxtpl import DocxTemplate

    try:
        return DocxTemplate(io.BytesIO(content))
    except Exception as exc:  # noqa: BLE001 - a damaged .docx fails in many ways
        raise FieldLogError("doc.template_unreadable", source=source, detail=str(exc)) from None


def unknown_tags(content: bytes, source: str) -> list[str]:
    """Names a template uses that no record gives it (sorted); a Jinja syntax error is
    refused with the file and the message."""
    from jinja2 import TemplateSyntaxError

    template = _template(content, source)
    try:
        used = template.get_undeclared_template_variables()
    except TemplateSyntaxError as exc:
        raise FieldLogError("doc.template_syntax", source=source, detail=exc.message or str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - docxtpl's XML patching fails in many ways
        raise FieldLogError("doc.template_unreadable", source=source, detail=str(exc)) from None
    return sorted(set(used) - CONTEXT_NAMES)


def render(content: bytes, source: str, context: dict[str, Any], target: Path) -> Path:
    """Fill a template with `context` and write the document to `target`."""
    template = _template(content, source)
    try:
        template.render(context, autoescape=True)
    except Exception as exc:  # noqa: BLE001 - a template error is the bureau's to fix
        raise FieldLogError("doc.render_failed", source=source, detail=str(exc)) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    template.save(str(target))
    return target
