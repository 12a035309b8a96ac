"""Jinja2 with autoescape on for every template: whatever a resident wrote renders as text."""

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.wording import actor_label, case_texts
from handlers.phones import mask_phones_in

CASE_NUMBER = re.compile(r"[A-Z]{1,8}-\d{8}-\d{4,}")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def case_numbers(text: str | None) -> Markup:
    """Words as staff pages show them: escaped, any phone number in them masked (the whole number is
    the case file's logged 查看完整号码 only), each case number in a nowrap span so a line never
    breaks inside MS-20261127-0001. Every staff page shows residents' and staff's words through it."""
    masked = escape(mask_phones_in(text or ""))
    return Markup(CASE_NUMBER.sub(lambda m: f'<span class="case-number">{m.group()}</span>', str(masked)))


def make_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    env.filters.update(case_numbers=case_numbers, mask_phones=mask_phones_in)
    env.globals.update(actor_label=actor_label, case_texts=case_texts)
    return env


class Pages:
    def __init__(self, environment: Environment | None = None) -> None:
        self.environment = environment or make_environment()

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.environment.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code)
