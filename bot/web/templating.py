"""Jinja2 with autoescape on for every template: whatever a resident wrote renders as text."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def make_environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


class Pages:
    def __init__(self, environment: Environment | None = None) -> None:
        self.environment = environment or make_environment()

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = self.environment.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status_code)
