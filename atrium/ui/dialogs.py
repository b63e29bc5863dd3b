"""Awaiting dialogs without nested event loops: open() them and await their ``finished`` signal.

``QDialog.exec()`` runs a second event loop inside the qasync loop, which breaks asyncio
(a task cannot be stepped while another one is running); these helpers never do that.
"""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


async def run_dialog(dialog: QDialog) -> int:
    """Show DIALOG (window-modal via open()) and return its result code once it is finished."""
    loop = asyncio.get_running_loop()
    result: asyncio.Future[int] = loop.create_future()

    def finished(code: int) -> None:
        if not result.done():
            result.set_result(int(code))

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await result
    finally:
        dialog.finished.disconnect(finished)


async def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> None:
    """A message box the person closes; awaited without blocking the loop."""
    box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.Ok, parent)  # fmt: skip
    box.setAccessibleName(title)
    await run_dialog(box)
    box.deleteLater()


async def confirm(parent: QWidget | None, title: str, text: str, action: str) -> bool:
    """Ask before something that cannot be undone; True when the person chose ACTION."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    chosen = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName(title)
    await run_dialog(box)
    accepted = box.clickedButton() is chosen
    box.deleteLater()
    return accepted
