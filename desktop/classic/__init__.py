"""Host-side support for classic PyScript pages (2022-2023): the `migrate` report and rewrite."""

__all__: list[str] = []
