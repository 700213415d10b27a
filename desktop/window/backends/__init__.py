"""One module per webview toolkit; each exposes `create() -> Backend`."""
