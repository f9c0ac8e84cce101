"""The side panels of the editor window: sections, filler review, pauses, tracks."""
