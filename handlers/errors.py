"""Domain errors carry the Chinese sentence a clerk or resident is shown."""


class DomainError(Exception):
    """A refused command: nothing was written, and `message` says why in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IllegalTransition(DomainError):
    pass


class CaseNotFound(DomainError):
    def __init__(self, number: str) -> None:
        super().__init__(f"未找到诉求编号 {number}，请核对后再试。")
        self.number = number


class RoutingError(DomainError):
    pass


class ConcurrentUpdate(DomainError):
    def __init__(self, number: str) -> None:
        super().__init__(f"诉求 {number} 刚被其他人修改，请刷新后重试。")
