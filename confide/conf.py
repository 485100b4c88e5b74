"""Settings from the environment, through small typed helpers.

Every helper raises ConfigError with one line that names the variable and says what was expected,
so a wrong value never starts Confide half-configured. Secrets may come from NAME_FILE instead of
NAME, so they need not sit in the process environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class ConfigError(Exception):
    """A setting in the environment is wrong. str() is one line naming the variable."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name}: expected one of 1, 0, true, false, yes, no, on, off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name}: expected a whole number of at least {minimum}{upper}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ConfigError(f"{name}: expected a comma-separated list such as 'confide.example.org,127.0.0.1', got an empty value")
    return items


def env_secret(name: str) -> str | None:
    """The secret in NAME, or the contents of the file named by NAME_FILE; None if neither is set."""
    if name in os.environ and f"{name}_FILE" in os.environ:
        raise ConfigError(f"{name}: set either {name} or {name}_FILE, not both")
    if name in os.environ:
        value = os.environ[name]
        if not value.strip():
            raise ConfigError(f"{name}: expected a secret value, got an empty string")
        return value
    path = os.environ.get(f"{name}_FILE")
    if path is None:
        return None
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{name}_FILE: expected a readable file, could not read {path!r} ({exc.strerror})") from None
    if not value:
        raise ConfigError(f"{name}_FILE: expected a file holding the secret, {path!r} is empty")
    return value


def var_dir() -> Path:
    """Where Confide keeps its own files (SQLite database, generated secret key): CONFIDE_VAR_DIR or ./var."""
    raw = os.environ.get("CONFIDE_VAR_DIR")
    if raw:
        path = Path(raw).expanduser()
    else:
        checkout = Path(__file__).resolve().parents[1]
        base = checkout if (checkout / "pyproject.toml").is_file() else Path.cwd()
        path = base / "var"
    return path.resolve()


def secret_key(var: Path) -> str:
    """CONFIDE_SECRET_KEY (or _FILE); otherwise one generated once into var/secret_key, readable by the owner only."""
    given = env_secret("CONFIDE_SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ConfigError("CONFIDE_SECRET_KEY: expected at least 32 characters of random text")
        return given
    key_file = var / "secret_key"
    if key_file.is_file():
        return key_file.read_text(encoding="utf-8").strip()
    var.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def master_key_text(var: Path) -> str:
    """CONFIDE_MASTER_KEY (or _FILE): 32 random bytes in base64, wrapping every client's data key.
    Otherwise one generated once into var/master_key, readable by the owner only: keep that file
    (and its backups) apart from the database's backups."""
    import base64

    given = env_secret("CONFIDE_MASTER_KEY")
    if given is None:
        key_file = var / "master_key"
        if key_file.is_file():
            return key_file.read_text(encoding="utf-8").strip()
        var.mkdir(parents=True, exist_ok=True)
        text = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return text
    try:
        raw = base64.urlsafe_b64decode(given.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError("CONFIDE_MASTER_KEY: expected 32 random bytes in base64 (make one with 'confide keys generate')")
    return given.strip()


def database_from_url(url: str) -> dict:
    """Django's DATABASES['default'] for sqlite:///PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME.

    Errors never repeat the URL itself, since it may hold a password.
    """
    name = "CONFIDE_DATABASE_URL"
    expected = "expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME"
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc or not path or path == "/":
            raise ConfigError(f"{name}: {expected}; a SQLite URL needs a file path after 'sqlite:///'")
        # sqlite:///var/x.db is relative to the working directory; sqlite:////abs/x.db is absolute.
        file_path = Path(path[1:])
        if not file_path.is_absolute():
            file_path = Path.cwd() / file_path
        return sqlite_database(file_path)
    if scheme in {"postgres", "postgresql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not parts.hostname and not parts.query:
            raise ConfigError(f"{name}: {expected}; the PostgreSQL URL has no host")
        if not db_name:
            raise ConfigError(f"{name}: {expected}; the PostgreSQL URL has no database name")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}: {expected}; the port is not a number") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    shown = scheme + "://" if scheme else "a value with no scheme"
    raise ConfigError(f"{name}: {expected}; got {shown}")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets readers work while a write commits; synchronous=FULL makes every commit
            # durable on power loss (principle 5: committed data survives crashes).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            # BEGIN IMMEDIATE: writers queue for the lock at the start, so two transactions never
            # both read the audit chain's head and then fail to upgrade their lock.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
