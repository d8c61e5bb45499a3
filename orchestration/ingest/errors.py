"""Errors that name the file, sheet, row and column, with identifiers masked and the file shown by the
rule of orchestration/privacy.py (show_path): a file name can hold a NIK or a person's name."""
from __future__ import annotations

from ..privacy import mask_message, mask_text, show_path


class ExtractError(Exception):
    """A file (or a sheet of it) that cannot be loaded. The message is safe to log."""

    def __init__(self, file: str, problem: str, *, sheet: str | None = None, row: int | None = None,
                 column: str | None = None, hint: str | None = None, code: str | None = None,
                 header_row: int | None = None):
        # `file` stays as delivered (the manifest's key); `message` shows it masked
        self.code = code  # short rule name when the rows of the file/sheet are quarantined for it
        self.header_row = header_row  # the header's row number, when a header was found
        self.file, self.sheet, self.row, self.column = file, sheet, row, column
        self.problem = mask_message(problem, [file])  # a reader's own text may repeat the file name
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = [f"file {show_path(self.file)}"]
        if self.sheet is not None:
            where.append(f"sheet '{mask_text(str(self.sheet))}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{mask_text(str(self.column))}'")
        text = f"{', '.join(where)}: {self.problem}"
        if self.hint:
            text += f". {self.hint}"
        return text
