"""Co-editing from the editor's side: join links, the relay connection, the replica that keeps
a linked project in step with its room, and the session the CLI (and later the app) edits
through. Qt-free; the connection is asyncio and can run on its own thread (``client``)."""
