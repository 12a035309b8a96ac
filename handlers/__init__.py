"""The case lifecycle: commands in, state changes and events out; no channel, no SQL."""
