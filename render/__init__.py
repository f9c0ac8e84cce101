"""Audio: media import and cache, the EDL, the program reader, and export.

This package never imports Qt or sounddevice (enforced by tests/test_layering.py) so that the
CLI render path and the headless relay start without a display.
"""
