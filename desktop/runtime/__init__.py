"""The vendored runtime: its pinned manifest, the files on disk, and how to fetch them."""

__all__: list[str] = []
