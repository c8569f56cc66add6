"""Одноклассники (OK.ru): topics of public groups with their comments, through the OK REST API.

``config`` (the source model) is light; ``collector`` and ``check`` register themselves when a
scan or a check needs them (``collectors.base``)."""
