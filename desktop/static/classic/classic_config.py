"""Classic PyScript configuration (<py-config>, <py-env>) as a dict: TOML, JSON or 2022's YAML.

Pure Python with no dependencies, used in the page (the classic layer loads it into Pyodide)
and on the host (`python main.py migrate`), so both read a classic page the same way.
"""

import json
import re

__all__ = ["parse_config"]


def parse_config(text, kind=""):
    """A classic <py-config>/<py-env> body as a dict: TOML, JSON or the YAML of 2022."""
    import textwrap

    text = textwrap.dedent(text).strip()
    if not text:
        return {}
    if kind == "json" or text.startswith("{"):
        return json.loads(text)
    if kind == "toml":
        import tomllib

        return tomllib.loads(text)
    if kind == "yaml" or text.startswith("-") or re.match(r"^\w+:\s*($|\S)", text):
        return _parse_yaml(text)
    import tomllib

    return tomllib.loads(text)


def _scalar(text):
    text = text.strip()
    if text[:1] in "\"'" and text[-1:] == text[:1]:
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _parse_yaml(text):
    """The small YAML subset classic configs used: lists of scalars, `key: value`, `key:` + list."""
    lines = [l.rstrip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    indent = min(len(l) - len(l.lstrip()) for l in lines)
    lines = [l[indent:] for l in lines]
    if lines[0].startswith("- "):  # <py-env>: a list of packages and `- paths:` blocks
        result = {"packages": []}
        key = None
        for line in lines:
            stripped = line.strip()
            if not line.startswith(" ") and stripped.startswith("- "):
                item = stripped[2:].strip()
                if item.endswith(":"):
                    key = item[:-1]
                    result.setdefault(key, [])
                else:
                    key = None
                    result["packages"].append(_scalar(item))
            elif key and stripped.startswith("- "):
                result[key].append(_scalar(stripped[2:]))
        return result
    result, key = {}, None
    for line in lines:
        stripped = line.strip()
        if not line.startswith(" ") and ":" in stripped and not stripped.startswith("- "):
            key, _, value = stripped.partition(":")
            key = key.strip()
            result[key] = _scalar(value) if value.strip() else []
        elif key is not None and stripped.startswith("- "):
            if not isinstance(result[key], list):
                result[key] = []
            result[key].append(_scalar(stripped[2:]))
        elif key is not None and ":" in stripped:  # one nested level: `splashscreen:\n  autoclose: false`
            if not isinstance(result[key], dict):
                result[key] = {}
            sub, _, value = stripped.partition(":")
            result[key][sub.strip()] = _scalar(value)
    return result
