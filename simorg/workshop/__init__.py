"""Workshops: a room plays one organization (`simorg workshop`, docs/workshop/README.md)."""
