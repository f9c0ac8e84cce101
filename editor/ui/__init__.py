"""The Qt desktop app: the start screen, the editor window around the transcript view, panels,
the waveform, transport, jobs and dialogs.

Nothing here is imported on the CLI's path: ``wordcut app`` imports :mod:`editor.ui.app` only
when it runs, and pyqtgraph is imported only once the transcript has been painted.
"""
