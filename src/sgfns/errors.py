"""Errors a user can fix. The application turns them into one line on stderr and exit status 2."""


class UserError(Exception):
    """Bad input: a missing file, a malformed record, a bad value. The message names where and what."""


def located(path, line: int | None, message: str) -> UserError:
    """A UserError whose message starts with `file:line:` so editors and humans can jump to it."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return UserError(f"{where}: {message}")
