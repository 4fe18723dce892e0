"""Domain errors: each carries a message a person can act on and, where known, the field."""

from __future__ import annotations


class DomainError(Exception):
    """Base of rule violations; the API maps subclasses to problem details."""

    status_code = 400
    error_id = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status_code = 404
    error_id = "not-found"


class Forbidden(DomainError):
    status_code = 403
    error_id = "forbidden"


class Conflict(DomainError):
    status_code = 409
    error_id = "conflict"


class InvalidInput(DomainError):
    status_code = 422
    error_id = "invalid-input"


class IllegalTransition(DomainError):
    status_code = 409
    error_id = "illegal-transition"
