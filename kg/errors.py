"""The errors kg reports as one line, with the exit code each maps to."""

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


class KGError(Exception):
    """An error shown to the user as one line; `exit_code` is the process exit status."""

    exit_code = EXIT_USAGE


class InputError(KGError):
    """A file, folder, query or parameter that cannot be used."""
