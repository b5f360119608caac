"""The API's request parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Kept apart from alliance.api: DRF imports the default parsers while it defines APIView.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of this API nests deeper than a few levels (a score's inputs: 4).
MAX_JSON_DEPTH = 20


def too_deep():
    return ParseError(_("The JSON body is nested too deeply (at most %(depth)s levels).") % {"depth": MAX_JSON_DEPTH})


def json_depth(data):
    """How deeply lists and objects nest in parsed JSON (without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) bodies nested deeper than MAX_JSON_DEPTH.

    A few kilobytes of brackets otherwise exhaust the interpreter's recursion limit in the parser
    or in whatever walks the data next, and the request ends in a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise too_deep()
        return data
