"""The scoring form: controls built from the catalogue rule, and the POST read back into inputs.

Field names: `n<number>-` then `passed` (all or nothing), `f-<key>` (findings), `i-<key>` (sub-items),
`option` and `o-<option>-…` (exclusive options), plus `na`, `reason`, `record`, `file`.
The same names are read by `static/greenmine/scoring.js` for the live subtotal.
"""

from decimal import Decimal

from django.utils.translation import gettext

from alliance.exceptions import BusinessRuleError

from . import scoring, services


def prefix(number):
    return f"n{number}-"


def controls(rule, points, base, inputs, option=None):
    """Flat list of form controls for a (method-resolved) rule, with the expert's saved inputs."""
    inputs = inputs or {}
    kind = rule["kind"]
    if kind == "all_or_nothing":
        return [
            {
                "type": "passed",
                "name": f"{base}passed",
                "label": rule.get("pass_label", ""),
                "points": points,
                "value": inputs.get("passed"),
                "option": option,
            }
        ]
    if kind == "deduction":
        found = inputs.get("findings") or {}
        return [
            {
                "type": "count",
                "name": f"{base}f-{f['key']}",
                "label": f["label"],
                "step": Decimal(str(f["step"])),
                "value": found.get(f["key"], ""),
                "max": scoring.finding_limit(f),
                "option": option,
            }
            for f in rule["findings"]
        ]
    if kind == "additive":
        ticked = inputs.get("items") or {}
        result = []
        for item in rule["items"]:
            counted = "max_count" in item
            result.append(
                {
                    "type": "count_item" if counted else "tick",
                    "name": f"{base}i-{item['key']}",
                    "label": item["label"],
                    "points": Decimal(str(item["points"])),
                    "value": ticked.get(item["key"], "" if counted else False),
                    "max": item.get("max_count"),
                    "option": option,
                }
            )
        return result
    if kind == "choice":
        chosen = inputs.get("option")
        result = []
        for opt in rule["options"]:
            result.append(
                {"type": "option", "name": f"{base}option", "value": opt["key"], "label": opt["label"],
                 "checked": chosen == opt["key"]}
            )  # fmt: skip
            nested = inputs.get("input") if chosen == opt["key"] else {}
            result += controls(opt["rule"], points, f"{base}o-{opt['key']}-", nested, option=opt["key"])
        return result
    raise ValueError(kind)


def _int(value):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise scoring.ScoringInputError(gettext("“%(value)s” is not a whole number.") % {"value": value}) from None


def read_inputs(rule, base, data):
    """The inputs dict for a rule from POST data, and whether anything was entered."""
    kind = rule["kind"]
    if kind == "all_or_nothing":
        value = data.get(f"{base}passed")
        if value in (None, ""):
            return {}, False
        return {"passed": value == "yes"}, True
    if kind == "deduction":
        findings = {}
        for f in rule["findings"]:
            count = _int(data.get(f"{base}f-{f['key']}"))
            if count is not None:
                findings[f["key"]] = count
        return ({"findings": findings}, True) if findings else ({}, False)
    if kind == "additive":
        items = {}
        for item in rule["items"]:
            name = f"{base}i-{item['key']}"
            if "max_count" in item:
                count = _int(data.get(name))
                if count is not None:
                    items[item["key"]] = count
            elif data.get(name):
                items[item["key"]] = True
        return ({"items": items}, True) if items else ({}, False)
    if kind == "choice":
        chosen = data.get(f"{base}option")
        option = next((o for o in rule["options"] if o["key"] == chosen), None)
        if option is None:
            return {}, False
        nested, _ = read_inputs(option["rule"], f"{base}o-{chosen}-", data)
        return {"option": chosen, "input": nested}, True
    raise ValueError(kind)


def read_items(indicators, method, data):
    """Score items for `services.scores_save` from the scoring page's POST; untouched indicators are skipped."""
    items = []
    for indicator in indicators:
        base = prefix(indicator.number)
        record = (data.get(f"{base}record") or "").strip()
        if data.get(f"{base}na"):
            items.append(
                {
                    "number": indicator.number,
                    "not_applicable": True,
                    "reason": data.get(f"{base}reason", ""),
                    "record": record,
                }
            )
            continue
        rule = scoring.effective_rule(indicator.rule, method)
        try:
            inputs, entered = read_inputs(rule, base, data)
        except scoring.ScoringInputError as exc:
            raise BusinessRuleError(
                gettext("%(indicator)s: %(reason)s")
                % {"indicator": services.indicator_label(indicator), "reason": exc.message},
                field="inputs",
            ) from None
        if entered or record:
            # Nothing ticked but a record written: the expert scored it (e.g. 0 for no sub-item met).
            items.append({"number": indicator.number, "inputs": inputs or {"_entered": True}, "record": record})
    return items
