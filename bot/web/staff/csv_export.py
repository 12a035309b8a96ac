"""CSV downloads from the staff pages (the dashboard's tables, the weekly 排查 report)."""

import csv
import io

from fastapi.responses import Response


def csv_response(rows: list[list[object]], name: str) -> Response:
    """A CSV download that Excel opens as UTF-8 (BOM) and that cannot smuggle a formula into a cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def _cell(value: object) -> object:
    """Spreadsheets run a cell that starts with = + - @ as a formula; such text gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
