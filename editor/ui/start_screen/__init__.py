"""The start screen: the project library, recent projects, search, and "drop audio files here
to start a project" with editable track labels and import progress in the window."""
