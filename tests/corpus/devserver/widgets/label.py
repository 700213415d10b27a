"""A tiny widget module, fetched through the config's [files]."""


def render(text: str) -> str:
    return f"<span class='label'>{text}</span>"
