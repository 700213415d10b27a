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
    """The YAML classic configs used, as a dict.

    A mapping is returned as is. A list (2022's <py-env> and the alpha's <py-config>) is merged
    as the alpha did (`Object.assign({}, ...items)`): `- name: value` items set keys and plain
    items are packages, so `- numpy` + `- paths: [...]` + `- autoclose_loader: false` all work.
    """
    lines = [line.rstrip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    value, _ = _yaml_block(lines, 0, _indent(lines[0]))
    if isinstance(value, list):
        result = {}
        for item in value:
            if isinstance(item, dict):
                result.update(item)
            else:
                result.setdefault("packages", []).append(item)
        return result
    return value if isinstance(value, dict) else {}


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _yaml_block(lines, i, indent):
    """(value, next index) of the block of `lines` starting at `i` with this indentation."""
    if lines[i].lstrip().startswith("-"):
        items = []
        while i < len(lines) and _indent(lines[i]) == indent and lines[i].lstrip().startswith("-"):
            rest = lines[i].lstrip()[1:]
            if not rest.strip():  # "-" alone: the item is the indented block below
                if i + 1 < len(lines) and _indent(lines[i + 1]) > indent:
                    value, i = _yaml_block(lines, i + 1, _indent(lines[i + 1]))
                else:
                    value, i = None, i + 1
                items.append(value)
                continue
            # "- key: value" starts a mapping whose further keys are indented like `key`
            inner = indent + 1 + (len(rest) - len(rest.lstrip(" ")))
            lines[i] = " " * inner + rest.strip()
            if _is_key(rest.strip()):
                value, i = _yaml_block(lines, i, inner)
            else:
                value, i = _scalar(rest), i + 1
            items.append(value)
        return items, i
    mapping = {}
    while i < len(lines) and _indent(lines[i]) == indent and _is_key(lines[i].strip()):
        key, _, rest = lines[i].strip().partition(":")
        i += 1
        if rest.strip():
            mapping[key.strip()] = _flow(rest.strip())
        elif i < len(lines) and (_indent(lines[i]) > indent or (_indent(lines[i]) == indent and lines[i].lstrip().startswith("-"))):
            mapping[key.strip()], i = _yaml_block(lines, i, _indent(lines[i]))
        else:
            mapping[key.strip()] = None
    if not mapping:  # a line this parser does not understand: skip it rather than loop
        return None, i + 1
    return mapping, i


def _is_key(text):
    return re.match(r"^[\w.\-\"' ]+:(\s|$)", text) is not None and not text.startswith("-")


def _flow(text):
    """A value after `key:`: a scalar, or a flow list like [a, b]."""
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in text[1:-1].split(",") if part.strip()]
    return _scalar(text)
