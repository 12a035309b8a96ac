"""Every table module, imported in one place so migrations and tests see the whole schema."""

from storage import models
from storage.models import Base

__all__ = ["Base", "models"]
