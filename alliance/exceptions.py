class BusinessRuleError(Exception):
    """A rule from the seeds forbids the requested change; nothing was written.

    `field` names the input at fault (None for the request as a whole), so the API can
    answer {"field": ["message"]} and a form can attach the error to the right input.
    """

    def __init__(self, message, *, field=None, code="invalid"):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.code = code

    def as_dict(self):
        return {self.field or "detail": [self.message] if self.field else self.message}


class NotPermitted(BusinessRuleError):
    """The user may not do this to this object (mapped to 403)."""
