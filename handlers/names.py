"""The one name rule: how a resident's name is shown where it is not needed whole (beside the
phone rule in handlers/phones.py)."""


def mask_name(name: str | None) -> str:
    """王先生 → 王**, 欧阳娜娜 → 欧***: the first character stays so staff can address the caller, the
    rest is hidden; spaces in a Latin name stay. Empty when there is no name."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "".join(" " if c.isspace() else "*" for c in name[1:]) if len(name) > 1 else name + "*"
