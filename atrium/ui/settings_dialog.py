"""The settings dialog, built from the declared settings table: one row per setting.

A bool is a checkbox, an int a spin box with the declared limits, a setting with choices a
combo box, anything else a line edit. What managed policy fixes is greyed out and says
"Set by your organisation" (the tooltip says why). Saving validates every row first and shows
each problem under its row; nothing is saved while any row is wrong.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from atrium.app.settings import (
    SETTINGS,
    PolicyLockedError,
    Setting,
    Settings,
    SettingsSaveError,
    missing_file,
)

from .i18n import QT_TRANSLATE_NOOP

Editor = QCheckBox | QSpinBox | QComboBox | QLineEdit
LABELS = {
    "server_url": QT_TRANSLATE_NOOP("SettingsDialog", "Server address"),
    "allow_server_change": QT_TRANSLATE_NOOP("SettingsDialog", "Allow changing the server"),
    "retention_days": QT_TRANSLATE_NOOP("SettingsDialog", "Keep posts offline for (days)"),
    "cache_size_cap_mb": QT_TRANSLATE_NOOP("SettingsDialog", "Offline copy size limit (MB)"),
    "attachment_cache_mb": QT_TRANSLATE_NOOP("SettingsDialog", "Attachment storage limit (MB)"),
    "proxy": QT_TRANSLATE_NOOP("SettingsDialog", "Proxy"),
    "extra_ca_bundle": QT_TRANSLATE_NOOP("SettingsDialog", "Extra trusted certificates"),
    "apps_allowed": QT_TRANSLATE_NOOP("SettingsDialog", "Business apps shown"),
    "desktop_notifications": QT_TRANSLATE_NOOP("SettingsDialog", "Desktop notifications"),
    "theme": QT_TRANSLATE_NOOP("SettingsDialog", "Colour theme"),
    "sync_interval_seconds": QT_TRANSLATE_NOOP("SettingsDialog", "Background sync interval (seconds)"),
}
CHOICE_LABELS = {
    "system": QT_TRANSLATE_NOOP("SettingsDialog", "Follow the system"),
    "light": QT_TRANSLATE_NOOP("SettingsDialog", "Light"),
    "dark": QT_TRANSLATE_NOOP("SettingsDialog", "Dark"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


def label_for(declared: Setting) -> str:
    return _tr(LABELS.get(declared.name, declared.name.replace("_", " ").capitalize()))


class SettingRow(QWidget):
    """Label, description, editor, and a line for "locked" or the validation error."""

    def __init__(self, declared: Setting, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.declared = declared
        self.setObjectName("SettingsRow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.locked_reason = settings.locked_reason(declared.name)
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 10, 4, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        self.title = QLabel(label_for(declared), self)
        self.title.setProperty("role", "subheading")
        grid.addWidget(self.title, 0, 0)
        description = QLabel(_tr(declared.description), self)
        description.setProperty("role", "hint")
        description.setWordWrap(True)
        grid.addWidget(description, 1, 0)
        self.editor = self._make_editor(settings.get(declared.name))
        self.editor.setObjectName(f"setting-{declared.name}")
        self.editor.setAccessibleName(label_for(declared))
        self.editor.setAccessibleDescription(_tr(declared.description))
        grid.addWidget(self.editor, 0, 1, 2, 1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(0, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        grid.addWidget(self.note, 2, 0, 1, 2)
        self.note.hide()
        if self.locked_reason is not None:
            self.editor.setEnabled(False)
            self.title.setEnabled(False)
            self.editor.setToolTip(self.locked_reason)
            self.setToolTip(self.locked_reason)
            self._show_note(self.tr("Set by your organisation"), "locked")
            self.note.setToolTip(self.locked_reason)

    def _make_editor(self, value: Any) -> Editor:
        declared = self.declared
        if declared.type is bool:
            box = QCheckBox(self.tr("On"), self)
            box.setChecked(bool(value))
            return box
        if declared.type is int:
            spin = QSpinBox(self)
            spin.setRange(declared.minimum if declared.minimum is not None else -2_147_483_647,
                          declared.maximum if declared.maximum is not None else 2_147_483_647)  # fmt: skip
            spin.setValue(int(value))
            spin.setMinimumWidth(120)
            spin.setGroupSeparatorShown(True)
            spin.setToolTip(
                self.tr("From %1 to %2").replace("%1", str(spin.minimum())).replace("%2", str(spin.maximum()))
            )
            return spin
        if declared.choices:
            combo = QComboBox(self)
            for choice in declared.choices:
                combo.addItem(_tr(CHOICE_LABELS.get(choice, choice)), choice)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.setMinimumWidth(180)
            return combo
        edit = QLineEdit("; ".join(value) if isinstance(value, list) else str(value), self)
        edit.setMinimumWidth(260)
        if declared.type is list:
            edit.setPlaceholderText(self.tr("separate entries with ;"))
        return edit

    def value(self) -> Any:
        """The editor's value, validated (ValueError with the problem otherwise)."""
        editor = self.editor
        if isinstance(editor, QCheckBox):
            return self.declared.validate(editor.isChecked())
        if isinstance(editor, QSpinBox):
            if not editor.hasAcceptableInput():  # value() would be the last number it accepted
                raise ValueError(
                    self.tr("Enter a whole number from %1 to %2.")
                    .replace("%1", f"{editor.minimum():,}")
                    .replace("%2", f"{editor.maximum():,}")
                )
            return self.declared.validate(editor.value())
        if isinstance(editor, QComboBox):
            return self.declared.validate(editor.currentData())
        if self.declared.type is list:
            return self.declared.parse_text(editor.text())
        value = self.declared.validate(editor.text().strip())
        if self.declared.name == "extra_ca_bundle" and (problem := missing_file(value)):
            raise ValueError(problem)
        return value

    def show_error(self, message: str) -> None:
        self._show_note(message, "error")

    def clear_error(self) -> None:
        if self.locked_reason is None:
            self.note.hide()

    def _show_note(self, text: str, role: str) -> None:
        self.note.setText(text)
        self.note.setAccessibleName(text)
        self.note.setProperty("role", role)
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)
        self.note.show()


class SettingsDialog(QDialog):
    saved = Signal(list)  # names of the settings that changed

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self.resize(780, 660)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        heading = QLabel(self.tr("Settings"), self)
        heading.setProperty("role", "heading")
        heading.setContentsMargins(24, 20, 24, 8)
        outer.addWidget(heading)
        body = QWidget(self)
        rows_layout = QVBoxLayout(body)
        rows_layout.setContentsMargins(24, 0, 24, 12)
        rows_layout.setSpacing(0)
        self.rows: dict[str, SettingRow] = {}
        for name, declared in SETTINGS.items():
            if declared.policy_only and name not in settings.policy.values:
                continue  # nothing a person can change, and no policy sets it: nothing to show
            row = SettingRow(declared, settings, body)
            self.rows[name] = row
            rows_layout.addWidget(row)
        rows_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        outer.addWidget(self._footer())

    def _footer(self) -> QWidget:
        footer = QWidget(self)
        footer.setObjectName("DialogFooter")
        footer.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        row = QHBoxLayout(footer)
        row.setContentsMargins(24, 12, 24, 12)
        self.error_label = QLabel(footer)
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        row.addWidget(self.error_label)
        row.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"), footer)
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        row.addWidget(cancel)
        self.save_button = QPushButton(self.tr("Save"), footer)
        self.save_button.setAccessibleName(self.tr("Save settings"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        return footer

    def save(self) -> bool:
        """Validate every row; save the changed ones only when all are valid. True when saved."""
        changes: dict[str, Any] = {}
        problems = 0
        for name, row in self.rows.items():
            if row.locked_reason is not None:
                continue
            try:
                value = row.value()
            except ValueError as error:
                row.show_error(str(error).removeprefix(f"{name}: ").capitalize())
                problems += 1
                continue
            row.clear_error()
            if value != self.settings.get(name):
                changes[name] = value
        if problems:
            self._footer_error(self.tr("Correct the settings with a note in red, then save again."))
            return False
        try:
            for name, value in changes.items():
                self.settings.set(name, value)
        except (PolicyLockedError, SettingsSaveError, ValueError) as error:
            self._footer_error(str(error))
            return False
        self.saved.emit(list(changes))
        self.accept()
        return True

    def _footer_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setAccessibleName(message)
        self.error_label.show()
