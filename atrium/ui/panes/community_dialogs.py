"""Dialogs of the Communities pane: create a community, add a member. Both open with open() and
report through signals; the network calls they lead to are awaited on the Qt loop by the pane."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from atrium.cache import Person, search_people

from ..context import UiContext

KINDS = ("expertise", "practice", "interest", "social", "support", "announcements")


class FormDialog(QDialog):
    """A form above a line for errors and OK/Cancel buttons; OK calls ``_submit``, which keeps
    the dialog open and shows what is wrong (``show_error``) until the input is good."""

    def _lay_out(self, form: QFormLayout, ok_text: str, width: int, height: int) -> None:
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(width, height)

    def _submit(self) -> None:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.message.setText(text)


class CreateCommunityDialog(FormDialog):
    submitted = Signal(dict)  # {name, kind, visibility, description}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Create a community"))
        self.setAccessibleName(self.windowTitle())
        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.name_edit.setMaxLength(200)
        self.kind_box = QComboBox(self)
        self.kind_box.setAccessibleName(self.tr("Kind"))
        labels = {
            "expertise": self.tr("Expertise (experts answer)"),
            "practice": self.tr("Practice (people doing the same job)"),
            "interest": self.tr("Interest"),
            "social": self.tr("Social"),
            "support": self.tr("Support (questions and answers)"),
            "announcements": self.tr("Announcements"),
        }
        for kind in KINDS:
            self.kind_box.addItem(labels[kind], kind)
        self.visibility_box = QComboBox(self)
        self.visibility_box.setAccessibleName(self.tr("Visibility"))
        self.visibility_box.addItem(self.tr("Public: anyone can find and join it"), "public")
        self.visibility_box.addItem(self.tr("Private: members are added by its owners"), "private")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setAccessibleName(self.tr("Description"))
        self.description_edit.setPlaceholderText(self.tr("What is it for, and who should join?"))
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Kind"), self.kind_box)
        form.addRow(self.tr("Visibility"), self.visibility_box)
        form.addRow(self.tr("Description"), self.description_edit)
        self._lay_out(form, self.tr("Create"), 520, 360)

    def _submit(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.message.setText(self.tr("A community needs a name."))
            self.name_edit.setFocus()
            return
        self.submitted.emit({
            "name": name,
            "kind": self.kind_box.currentData(),
            "visibility": self.visibility_box.currentData(),
            "description": self.description_edit.toPlainText().strip(),
        })  # fmt: skip


class AddMemberDialog(FormDialog):
    submitted = Signal(str, str)  # user id, role

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Add a member"))
        self.setAccessibleName(self.windowTitle())
        self._people: dict[str, Person] = {}
        self.person_edit = QLineEdit(self)
        self.person_edit.setAccessibleName(self.tr("Person"))
        self.person_edit.setPlaceholderText(self.tr("Start typing a name…"))
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.person_edit.setCompleter(completer)
        self.person_edit.textEdited.connect(self._suggest)
        self.role_box = QComboBox(self)
        self.role_box.setAccessibleName(self.tr("Role"))
        self.role_box.addItem(self.tr("Member"), "member")
        self.role_box.addItem(self.tr("Moderator"), "moderator")
        self.role_box.addItem(self.tr("Owner"), "owner")
        form = QFormLayout()
        form.addRow(self.tr("Person"), self.person_edit)
        form.addRow(self.tr("Role"), self.role_box)
        self._lay_out(form, self.tr("Add"), 440, 180)

    @staticmethod
    def _label(found: Person) -> str:
        return f"{found.display_name} (@{found.handle})"

    def _suggest(self, text: str) -> None:
        found = search_people(self.context.reader, text, limit=10, me=self.context.me)
        self._people.update({self._label(item): item for item in found})
        self._names.setStringList([self._label(item) for item in found])

    def chosen(self) -> Person | None:
        text = self.person_edit.text().strip()
        if text in self._people:
            return self._people[text]
        matches = search_people(self.context.reader, text.lstrip("@"), limit=2, me=self.context.me)
        return matches[0] if len(matches) == 1 else None

    def _submit(self) -> None:
        found = self.chosen()
        if found is None:
            self.message.setText(self.tr("Pick a person from the suggestions."))
            return
        self.submitted.emit(found.id, str(self.role_box.currentData()))
