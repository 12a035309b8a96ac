"""Every table module, imported in one place so migrations and tests see the whole schema."""

from storage import models
from storage import dialogue_models  # noqa: F401 - registers the dialogue tables
from storage import staff_models  # noqa: F401 - registers staff accounts and sessions
from storage import wechat_models  # noqa: F401 - registers WeChat followers and the shared access_token
from storage import warning_models  # noqa: F401 - registers early-warning flags
from storage import audit_models  # noqa: F401 - registers the administrators' audit log
from storage import privacy_models  # noqa: F401 - registers residents' erasure requests
from storage.models import Base

__all__ = ["Base", "models"]
