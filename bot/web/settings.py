"""The [web] section: where to listen and how staff sessions and cookies behave."""

from dataclasses import dataclass

from bot.settings import Settings


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    secure_cookies: str = "auto"  # "auto": Secure when the request came over https
    staff_session_hours: float = 10
    history_limit: int = 100
    sms_when_offline: bool = True  # a push that finds no open tab also goes by SMS (when [sms] is set)

    @classmethod
    def from_settings(cls, settings: Settings) -> "WebSettings":
        section = settings.section("web")
        known = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        if "secure_cookies" in known:
            known["secure_cookies"] = str(known["secure_cookies"]).lower()
        web = cls(**known)
        if not isinstance(web.sms_when_offline, bool):
            raise ValueError(f"[web] sms_when_offline 应为 true 或 false，而不是 {web.sms_when_offline!r}")
        if web.secure_cookies not in ("auto", "true", "false"):
            raise ValueError("[web] secure_cookies 只能是 auto、true 或 false")
        return web

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return (self.public_url or f"http://{host}:{self.port}").rstrip("/")

    def cookie_secure(self, scheme: str) -> bool:
        if self.secure_cookies == "auto":
            return scheme in ("https", "wss")
        return self.secure_cookies == "true"
