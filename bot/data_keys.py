"""The data key of this process: from DATA_KEY, or in local mode a key kept in the instance folder."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from bot.config import Config, ConfigError
from storage.crypto import Keyring, make_key_text
from storage.sealed import use_keyring

log = logging.getLogger(__name__)

LOCAL_KEY_FILE = "data.key"


def local_key_path(config: Config) -> Path:
    """Where local mode keeps the key it made."""
    return Path(config.instance_path).resolve() / LOCAL_KEY_FILE


def load_keyring(config: Config) -> Keyring:
    """The configured keyring; local mode without DATA_KEY reads (or makes, and says so) its own."""
    if config.data_key:
        return Keyring.parse(config.data_key)
    if not config.local_mode:
        raise ConfigError("DATA_KEY is not set: national IDs and phones are stored encrypted with it (make one with 'thaiqm-bot make-key')")
    path = local_key_path(config)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by its owner only; never overwritten, or sealed values would be lost.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(make_key_text("local1") + "\n")
        log.warning("LOCAL MODE: no DATA_KEY set; made a data key in %s (keep it with the database)", path)
    return Keyring.parse(path.read_text().strip())


def install_keyring(config: Config) -> Keyring:
    """Load the keyring and make it the one sealed columns use in this process."""
    ring = load_keyring(config)
    use_keyring(ring)
    return ring
