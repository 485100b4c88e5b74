"""Finding, reading and compiling packs: the built-in ones (cached) and packs from a file."""

from __future__ import annotations

import threading
from pathlib import Path

from .compiler import Pack
from .errors import PackError
from .schema import parse_pack
from .yamlsrc import Source

PACKS_DIR = Path(__file__).resolve().parent / "packs"

_cache: dict[str, Pack] = {}
_lock = threading.Lock()


def pack_names() -> list[str]:
    """The names of the built-in packs, in alphabetical order."""
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


def compile_text(text: str, filename: str = "<pack>") -> Pack:
    """Validate and compile a pack given as YAML text."""
    return Pack(parse_pack(Source(text, filename)))


def load_file(path: str | Path) -> Pack:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackError("no such file", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"cannot read the file: {exc}", file=str(path)) from None
    return compile_text(text, str(path))


def load_pack(name_or_path: str | Path) -> Pack:
    """A compiled pack: a built-in pack by name (compiled once and cached), or a pack file by path."""
    text = str(name_or_path)
    cached = _cache.get(text)
    if cached is not None:
        return cached
    if text in pack_names():
        with _lock:
            pack = _cache.get(text)
            if pack is None:
                pack = load_file(PACKS_DIR / f"{text}.yaml")
                if pack.name != text:
                    raise PackError(f"the pack inside is called '{pack.name}', not '{text}'",
                                    file=pack.filename, line=1, field="pack")
                _cache[text] = pack
            return pack
    if text.endswith((".yaml", ".yml")) or "/" in text or Path(text).exists():
        return load_file(text)
    raise PackError(f"no built-in pack called '{text}' and no such file; built-in packs: {', '.join(pack_names())}")
