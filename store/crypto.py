"""Connection secrets encrypted at rest with Fernet.

The key comes from `DROPDECK_SECRET_KEY` or a 0600 file `$DROPDECK_HOME/secret.key`, made on
first use. Decrypted values are wrapped in `Secret`, whose repr never shows the value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


class SecretKeyError(RuntimeError):
    """The secret key cannot be read or is not the one the secrets were sealed with; the
    message says which and what to do."""


class Secret(str):
    """A str that hides itself from repr() and logs; use it like any str."""

    def __repr__(self) -> str:
        return "Secret('***')"


def _key(home: Path) -> bytes:
    env_key = os.environ.get("DROPDECK_SECRET_KEY")
    if env_key:
        return env_key.encode()
    path = home / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    try:
        return path.read_bytes().strip()
    except OSError as exc:
        raise SecretKeyError(
            f"cannot read {path} ({exc.strerror}); make it readable by this user (chmod 600) "
            "or set DROPDECK_SECRET_KEY"
        ) from None


class SecretBox:
    """Seals and opens connection secrets with this installation's key.

    Raises SecretKeyError (with what to do) when the key cannot be read or is malformed.
    """

    def __init__(self, home: Path) -> None:
        key = _key(home)
        try:
            self._fernet = Fernet(key)
        except ValueError:
            where = (
                "DROPDECK_SECRET_KEY"
                if os.environ.get("DROPDECK_SECRET_KEY")
                else home / "secret.key"
            )
            raise SecretKeyError(
                f"{where} is not a Fernet key (32 url-safe base64-encoded bytes); restore the "
                "key the secrets were saved with"
            ) from None

    def seal(self, values: Mapping[str, str]) -> str:
        """The values as one encrypted token (what the connection row stores)."""
        return self._fernet.encrypt(json.dumps(values).encode()).decode()

    def open(self, token: str) -> dict[str, Secret]:
        """The values sealed in `token`; SecretKeyError if this key did not seal them."""
        if not token:
            return {}
        try:
            raw = self._fernet.decrypt(token.encode())
        except InvalidToken:
            raise SecretKeyError(
                "cannot decrypt connection secrets: DROPDECK_SECRET_KEY or "
                "$DROPDECK_HOME/secret.key is not the key they were saved with"
            ) from None
        return {k: Secret(v) for k, v in json.loads(raw).items()}
