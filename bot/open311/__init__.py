"""Open311 GeoReport v2 (JSON): our categories × topics as services, cases as service requests."""

from bot.open311.records import service_code
from bot.open311.routes import router

__all__ = ["router", "service_code"]
