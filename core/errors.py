"""The kernel's error for a config, a secret or a YAML file that cannot be used."""


class ConfigError(Exception):
    """A config file that cannot be used; the message names the file, the key and the reason."""
