"""The boards app: board storage, versions, the REST API, pages, tasks and WebSocket consumers."""
