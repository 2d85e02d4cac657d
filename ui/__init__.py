"""The technician's terminal UI: a Textual app driving the diagnosis engine.

``ui`` only calls the engine API (``diagnosis.kb``, ``diagnosis.session``,
``diagnosis.store``, ``diagnosis.report``, ``diagnosis.faulttree``,
``diagnosis.fmea``); it holds no business logic of its own. One screen per
step of the workflow (``ui/screens``), reusable widgets (``ui/widgets``) and
modal dialogs (``ui/dialogs``).
"""

__all__ = ["DiagnosisApp"]


def __getattr__(name: str) -> object:
    # Lazy: importing ``ui`` must not pull Textual in before it is needed.
    if name == "DiagnosisApp":
        from diagnosis.ui.app import DiagnosisApp

        return DiagnosisApp
    raise AttributeError(name)
