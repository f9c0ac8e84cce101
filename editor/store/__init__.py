"""The project library: SQLite in the user data folder, plus one folder per project.

Store            the facade (projects, tracks, op log, renders, voice profiles)
open_store       a Store at $WORDCUT_HOME or the platform's user data folder
db               connections, pragmas, BEGIN IMMEDIATE transactions, ids
schema           migrations by PRAGMA user_version
records          the frozen row records the store returns
"""

from editor.store.records import (
    OpRecord,
    Project,
    RenderRecord,
    Track,
    VoiceProfile,
)
from editor.store.store import Store, open_store

__all__ = [
    "OpRecord",
    "Project",
    "RenderRecord",
    "Store",
    "Track",
    "VoiceProfile",
    "open_store",
]
