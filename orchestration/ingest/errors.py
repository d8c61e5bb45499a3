"""Errors that name the file, sheet, row and column, with identifiers masked."""
from __future__ import annotations

from ..privacy import mask_text


class ExtractError(Exception):
    """A file (or a sheet of it) that cannot be loaded. The message is safe to log."""

    def __init__(self, file: str, problem: str, *, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, hint: str | None = None, code: str | None = None,
                 header_row: int | None = None):
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.code = code  # short rule name when the rows of the file/sheet are quarantined for it
        self.header_row = header_row  # the header's row number, when a header was found
        self.problem = mask_text(problem)
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [f"file {self.file}"]
        if self.sheet is not None:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = f"{', '.join(where)}: {self.problem}"
        if self.hint:
            text += f". {self.hint}"
        return text
