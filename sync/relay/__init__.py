"""The co-editing relay: rooms of one authority each, behind a WebSocket server.

``server`` drives the ``websockets`` asyncio server (auth at the handshake, per-connection
writers, bounds); ``room`` is the per-document authority and its group commit; ``store`` the
relay's SQLite; ``tokens`` the hashed access tokens; ``blobs`` the content-addressed media
store behind the :class:`~sync.relay.blobs.BlobStore` interface; ``limits`` the bounds.
"""
