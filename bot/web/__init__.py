"""The web edge: the resident chat page and its WebSocket, the hotline operator console, staff login."""
