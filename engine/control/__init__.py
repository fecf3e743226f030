"""The control channel: a running server's local socket, its wire protocol, client and discovery."""
