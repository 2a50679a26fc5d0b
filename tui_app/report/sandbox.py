"""Limits for pack templates: a template is code from a file, so it runs on a budget.

Jinja's sandbox keeps a template away from Python internals but not from the machine:
`{{ 'A' * 300000000 }}` allocates gigabytes and two nested `range()` loops run for
hours. Here every template runs with a ceiling on its output, on the size of any value
it builds, on the template lines it executes and on its time, and a template that
reaches one stops with `TemplateLimit` (the caller names the pack key).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 1_000_000  # characters of rendered text (the seed report is ~3 000)
MAX_VALUE = 100_000     # characters or items of one value built with * or a filter
MAX_STEPS = 2_000_000   # template lines executed (the seed report takes a few thousand)
MAX_SECONDS = 3.0
MAX_POWER_BITS = 4_096  # `**` results larger than this many bits are refused
TEMPLATE_FILE = "<template>"  # the file name Jinja gives code compiled from a string


class TemplateLimit(TemplateError):
    """A template went over one of its limits; `limit` names which (a catalog suffix)."""

    def __init__(self, limit: str) -> None:
        super().__init__(limit)
        self.limit = limit


def _sized(value: Any) -> Any:
    if isinstance(value, str | list | tuple | bytes) and len(value) > MAX_VALUE:
        raise TemplateLimit("value")
    return value


def _repeat(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            if len(seq) * max(times, 0) > MAX_VALUE:
                raise TemplateLimit("value")
    return left * right


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
            right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS:
        raise TemplateLimit("value")
    return left**right


def _width_checked(fn: Callable[..., Any], position: int) -> Callable[..., Any]:
    """A built-in filter whose numeric argument (a width) sets the size of its result."""
    def guarded(*args: Any, **kwargs: Any) -> Any:
        width = args[position] if len(args) > position else kwargs.get("width", 0)
        if isinstance(width, int) and width > MAX_VALUE:
            raise TemplateLimit("value")
        return _sized(fn(*args, **kwargs))

    return guarded


def _replace_checked(fn: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        text, old, new = str(s), str(old), str(new)
        hits = text.count(old) if old else len(text) + 1
        if len(text) + hits * len(new) > MAX_VALUE:
            raise TemplateLimit("value")
        return fn(eval_ctx, s, old, new, count)

    guarded.jinja_pass_arg = fn.jinja_pass_arg  # type: ignore[attr-defined]
    return guarded


class LimitedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with `*`, `**` and `+` sized, the growing filters bounded
    and every value read or returned by a call checked for size."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name, position in (("center", 1), ("indent", 1), ("wordwrap", 2), ("truncate", 1)):
            base = self.filters[name]
            guarded = _width_checked(base, position + (1 if hasattr(base, "jinja_pass_arg") else 0))
            if hasattr(base, "jinja_pass_arg"):
                guarded.jinja_pass_arg = base.jinja_pass_arg  # type: ignore[attr-defined]
            self.filters[name] = guarded
        self.filters["replace"] = _replace_checked(self.filters["replace"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            return _repeat(left, right)
        if operator == "**":
            return _power(left, right)
        return _sized(left + right)

    # A value grown step by step (a namespace doubling itself with ~ in a loop) is caught
    # the next time it is read.
    def getattr(self, obj: Any, attribute: str) -> Any:
        return _sized(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _sized(super().getitem(obj, argument))

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        return _sized(super().call(__context, __obj, *args, **kwargs))


def render(template: Any, names: dict[str, Any]) -> str:
    """Render within MAX_OUTPUT characters, MAX_STEPS template lines and MAX_SECONDS."""
    parts, size = [], 0
    with _budget():
        for chunk in template.generate(names):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit("output")
            parts.append(chunk)
    return "".join(parts)


@contextmanager
def _budget() -> Iterator[None]:
    """Count the lines the template's own code runs (only its frames are traced, so
    Python's and Jinja's code run at full speed) and stop it over its steps or time."""
    deadline = time.monotonic() + MAX_SECONDS
    steps = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or (steps % 1000 == 0 and time.monotonic() > deadline):
            raise TemplateLimit("time")
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == TEMPLATE_FILE else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        yield
    finally:
        sys.settrace(previous)
