"""What a backup or a restore tells the operator when it cannot do what was asked."""

from __future__ import annotations


class BackupError(Exception):
    """One line for the operator: an N_-marked template and its parameters, shown in the
    operator's language by the command. ``exit_code`` 2 is a refusal (nothing was done because
    of what was asked or what is missing), 1 a tool that failed while working."""

    exit_code = 1

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = {key: str(value) for key, value in params.items()}
        super().__init__(message.format(**self.params))


class BackupRefusedError(BackupError):
    exit_code = 2


class BackupFailedError(BackupError):
    exit_code = 1
