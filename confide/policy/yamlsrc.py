"""Reading a YAML pack while remembering the line of every key, so schema errors can name the
file, the line and the field."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import PackError

Path = tuple[Any, ...]


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


class Source:
    """A parsed YAML document plus the line of each path in it."""

    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.lines: dict[Path, int] = {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise PackError(f"not valid YAML: {problem}", file=filename, line=line) from None
        if node is None:
            raise PackError("the file is empty", file=filename, line=1)
        self._constructor = yaml.constructor.SafeConstructor()
        self.data = self._convert(node, ())

    def _convert(self, node: yaml.Node, path: Path) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    raise PackError(f"keys must be words, found {key!r}", file=self.filename, line=line,
                                    field=dotted(path))
                if key in out:
                    raise PackError("the same key appears twice", file=self.filename, line=line,
                                    field=dotted(path + (key,)))
                self.lines[path + (key,)] = line
                out[key] = self._convert(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, path + (i,)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)

    def line_of(self, path: Path) -> int | None:
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path, message: str) -> PackError:
        return PackError(message, file=self.filename, line=self.line_of(path), field=dotted(path))
