"""Settings from the environment, through small typed helpers.

Every helper raises ConfigError with one line that names the variable and says what was expected,
so a wrong value never starts Confide half-configured. Secrets may come from NAME_FILE instead of
NAME, so they need not sit in the process environment.
"""

from __future__ import annotations

import base64
import os
import secrets
import shlex
import tempfile
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


# Private by default: whatever Confide creates (the SQLite database with its WAL and SHM files,
# the key store, generated keys, the audit lock and checkpoints) is its owner's alone.
PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """Files created from now on are 0600 and directories 0700. Every entry point calls this first
    (the `confide` command, confide/wsgi.py, and confide/settings.py for any other Django path)."""
    os.umask(PRIVATE_UMASK)


def make_var_dir(var: Path) -> None:
    """Create var/ readable by its owner only (0700). An existing var/ is left as it is: the
    start-up check (check_private_files) refuses to start if others can read it."""
    if not var.is_dir():
        var.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(var, 0o700)  # mkdir's mode is cut by the umask of whoever called us, never widened


def _open_to_others(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o077)


def check_private_files(var: Path, database_file: Path | None, keystore: Path) -> None:
    """Refuse to start, with one line, when other users of this machine could read var/, the
    SQLite database (or its WAL and SHM files) or a key file. The line names each one and the
    chmod that fixes it. Files that do not exist yet are not checked (they will be made 0600)."""
    candidates = [var / "secret_key", var / "master_key", var / "audit_signing_key", keystore,
                  Path(f"{keystore}-journal")]
    if database_file is not None:
        candidates += [database_file, Path(f"{database_file}-wal"), Path(f"{database_file}-shm")]
    open_dir = var.is_dir() and _open_to_others(var)
    files = [path for path in dict.fromkeys(candidates) if path.is_file() and _open_to_others(path)]
    if not open_dir and not files:
        return
    shown = ([var] if open_dir else []) + files
    named = ", ".join(f"{path} (mode {path.stat().st_mode & 0o777:o})" for path in shown)
    fixes = [f"chmod 700 {shlex.quote(str(var))}"] if open_dir else []
    if files:
        fixes.append("chmod 600 " + " ".join(shlex.quote(str(path)) for path in files))
    raise ConfigError(f"other users of this machine can read {named}; run '{' && '.join(fixes)}' "
                      "and start Confide again")


def check_private_files_of(settings) -> None:
    """check_private_files() for Django's settings (passed in: this module has no Django)."""
    database = settings.DATABASES["default"]
    database_file = None
    if database["ENGINE"].endswith("sqlite3"):
        name = str(database["NAME"])
        if name and name != ":memory:" and not name.startswith("file:") and "mode=memory" not in name:
            database_file = Path(name)
    check_private_files(Path(settings.VAR_DIR), database_file, Path(settings.KEYSTORE_PATH))


def _create_once(path: Path, text: str) -> str:
    """Write `text` into a new file at `path`, readable by the owner only, unless another process got
    there first: then theirs is the one, and its text is returned. The file appears whole or not at
    all (written beside it, then linked into place), so a process starting at the same moment (the
    SQLite and PostgreSQL runs of CI, two workers of a server) never reads it half written."""
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
        return text
    finally:
        os.unlink(partial)


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
    make_var_dir(var)
    return _create_once(key_file, secrets.token_urlsafe(50))


def master_key_text(var: Path) -> str:
    """CONFIDE_MASTER_KEY (or _FILE): 32 random bytes in base64, wrapping every client's data key.
    Otherwise one generated once into var/master_key, readable by the owner only: keep that file
    (and its backups) apart from the database's backups."""
    given = env_secret("CONFIDE_MASTER_KEY")
    if given is None:
        key_file = var / "master_key"
        if key_file.is_file():
            return key_file.read_text(encoding="utf-8").strip()
        make_var_dir(var)
        return _create_once(key_file, base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
    try:
        raw = base64.urlsafe_b64decode(given.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError("CONFIDE_MASTER_KEY: expected 32 random bytes in base64 (make one with 'confide keys generate')")
    return given.strip()


def database_from_url(url: str, name: str = "CONFIDE_DATABASE_URL") -> dict:
    """Django's DATABASES['default'] for sqlite:///PATH or postgresql://USER[:PASSWORD]@HOST[:PORT]/NAME.

    Errors never repeat the URL itself, since it may hold a password.
    """
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


def owner_database(url: str, serving: dict) -> dict:
    """CONFIDE_MIGRATE_DATABASE_URL: the same PostgreSQL database as CONFIDE_DATABASE_URL, as the role
    that owns the tables. Migrations run as it; Confide serves as the other, which cannot drop the
    audit log's triggers (README, "PostgreSQL: two roles")."""
    name = "CONFIDE_MIGRATE_DATABASE_URL"
    owner = database_from_url(url, name)
    if not serving["ENGINE"].endswith("postgresql") or not owner["ENGINE"].endswith("postgresql"):
        raise ConfigError(f"{name}: only for PostgreSQL, with CONFIDE_DATABASE_URL on PostgreSQL too")
    if any(owner[key] != serving[key] for key in ("NAME", "HOST", "PORT")):
        raise ConfigError(f"{name}: expected the same database, host and port as CONFIDE_DATABASE_URL, as another user")
    if owner["USER"] == serving["USER"]:
        raise ConfigError(f"{name}: expected a different user from CONFIDE_DATABASE_URL's (the tables' owner)")
    # Under test, the same test database as the serving connection.
    return owner | {"CONN_MAX_AGE": 0, "TEST": {"MIRROR": "default"}}


def audit_signing_key() -> str | None:
    """CONFIDE_AUDIT_SIGNING_KEY (or _FILE): an Ed25519 private key (PEM, or 32 bytes in base64)
    signing the audit log's checkpoints. None: one is generated once into var/audit_signing_key."""
    given = env_secret("CONFIDE_AUDIT_SIGNING_KEY")
    if given is None:
        return None
    text = given.strip()
    if text.startswith("-----BEGIN") and "PRIVATE KEY-----" in text:
        return text
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError("CONFIDE_AUDIT_SIGNING_KEY: expected an Ed25519 private key, as PEM or as 32 bytes in base64")
    return text


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
