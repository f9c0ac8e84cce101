"""The edit document and how it is shared: plain Python, no Qt, no audio devices.

``sync.model`` holds the value types, ``sync.ops`` the operations and their wire form,
``sync.document`` the ``Document`` that applies them, ``sync.cleanup`` the smart-cleanup
builders, ``sync.rebase`` the concurrent-edit rules, ``sync.authority`` the sans-I/O authority
that orders, rebases and commits ops (local session and relay alike), ``sync.events`` the typed
change events it emits after commit, ``sync.snapshot`` the checked snapshot value and
``sync.derive`` the document -> EDL derivation and program-time maps. Import from those modules;
this package stays light.
"""
