"""Where the dev state lives: the `Storage` protocol, memory, Redis, Redis with a fallback."""
