"""One module per webview toolkit; each exposes `create() -> Backend`."""

__all__: list[str] = []
