"""The waveform: lanes built per view from the cached peak pyramid (``lanes.py``, Qt-free) and
drawn with pyqtgraph (``widget.py``, imported only after the transcript is on screen)."""
