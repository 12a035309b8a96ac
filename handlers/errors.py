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


class ImportRejected(DomainError):
    """An archive with bad rows: every problem is listed by line, and nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        lines = "；".join(f"第 {line} 行：{msg}" for line, msg in problems[:20])
        more = f"；另有 {len(problems) - 20} 处问题" if len(problems) > 20 else ""
        super().__init__(f"导入失败，未写入任何数据。{lines}{more}")
        self.problems = problems
