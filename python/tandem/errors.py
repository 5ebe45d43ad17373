"""tandem's exception classes: one per kind of store failure (src/core/error.h, docs/python.md).

Every error the store raises is a StoreError; not-found errors are also KeyErrors and
invalid-argument errors also ValueErrors, so `except KeyError` / `except ValueError` code written
for ArcticDB or plain pandas keeps working. Each carries `kind` ("not found", ...), `where` (the
URI / library / symbol / version involved) and `message` (what is wrong).
"""


class StoreError(Exception):
    """Base class of every tandem store error."""

    kind = "internal"
    where = ""
    message = ""

    def __str__(self):
        # KeyError would print the repr of its argument (with quotes); the message reads better.
        return Exception.__str__(self)


class InvalidArgumentError(StoreError, ValueError):
    """The request itself is wrong: a bad name, URI, option, DataFrame or order of rows."""


class NotFoundError(StoreError, KeyError):
    """What was asked for does not exist: a library, symbol, version or snapshot."""


class ConflictError(StoreError):
    """The state does not allow it now: it already exists, or another writer won a race."""


class CorruptionError(StoreError):
    """Stored bytes fail their checks (checksum, decoding); nothing was changed."""


class UnavailableError(StoreError):
    """A transient I/O failure (a server, the network, the disk); a retry may succeed."""


class InternalError(StoreError):
    """A broken invariant, or a failure not yet classified at its source."""


BY_KIND = {
    "InvalidArgument": InvalidArgumentError,
    "NotFound": NotFoundError,
    "Conflict": ConflictError,
    "Corruption": CorruptionError,
    "Unavailable": UnavailableError,
    "Internal": InternalError,
}


def invalid(message, where=""):
    """An InvalidArgumentError raised by the Python layer, shaped like the store's own."""
    error = InvalidArgumentError(f"{where}: {message}" if where else message)
    error.kind = "invalid argument"
    error.where = where
    error.message = message
    return error


def not_found(message, where=""):
    error = NotFoundError(f"{where}: {message}" if where else message)
    error.kind = "not found"
    error.where = where
    error.message = message
    return error
