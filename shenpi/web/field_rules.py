"""What a widget's settings forbid, checked on the web start and resubmit forms (not by the API, which keeps to its
contract): a message in the page's language that names the field, or "".

The settings are read from the widget as the definition gives it, under the names Feishu's form designer and
common form builders use:

* number and amount: ``min``/``minValue`` and ``max``/``maxValue`` (limits, both ends allowed);
  ``precision``/``decimals`` (decimal places; an amount has 2 unless it says otherwise); ``allowNegative``
  (an amount may not be negative unless it is true or its minimum is below zero; a number may be unless it is false);
* amount: ``currencies`` (the currencies it takes; otherwise the ones the web form offers);
* input and textarea: ``maxLength``/``max_length`` and ``minLength``/``min_length`` (characters).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from shenpi.web import i18n

CURRENCIES = ("CNY", "USD", "EUR", "JPY", "HKD", "GBP", "SGD")
AMOUNT_DECIMALS = 2


def _setting(raw: dict[str, Any], *names: str) -> Any:
    for name in names:
        if raw.get(name) is not None and raw.get(name) != "":
            return raw[name]
    return None


def _decimal(v: Any) -> Decimal | None:
    if isinstance(v, bool):
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _int(v: Any) -> int | None:
    d = _decimal(v)
    return int(d) if d is not None and d == d.to_integral_value() and d >= 0 else None


def _shown(d: Decimal) -> str:
    return format(d.normalize(), "f")


def setting_problem(*, kind: str, raw: dict[str, Any], label: str, lang: str, value: Any, currency: str = "") -> str:
    def say(key: str, **kw: Any) -> str:
        return i18n.translate(lang, key, label=label, **kw)

    if kind in ("number", "amount"):
        n = _decimal(value)
        if n is None:
            return ""  # not a number: the API's own check says so
        low, high = _decimal(_setting(raw, "min", "minValue")), _decimal(_setting(raw, "max", "maxValue"))
        negative_ok = raw.get("allowNegative")
        if negative_ok is None:
            negative_ok = kind == "number" or (low is not None and low < 0)
        if n < 0 and (not negative_ok or (low is not None and low >= 0)):
            return say("{label}: must not be negative.")
        if low is not None and n < low:
            return say("{label}: must be at least {limit}.", limit=_shown(low))
        if high is not None and n > high:
            return say("{label}: must be at most {limit}.", limit=_shown(high))
        places = _int(_setting(raw, "precision", "decimals"))
        if places is None and kind == "amount":
            places = AMOUNT_DECIMALS
        exponent = n.normalize().as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            if places == 0:
                return say("{label}: must be a whole number.")
            return say("{label}: at most {places} decimal places.", places=places)
        if kind == "amount" and currency:
            allowed = raw.get("currencies")
            allowed = [str(c) for c in allowed] if isinstance(allowed, list) and allowed else list(CURRENCIES)
            if currency not in allowed:
                return say("{label}: choose one of the currencies {currencies}.", currencies=", ".join(allowed))
    elif kind in ("input", "textarea") and isinstance(value, str):
        longest, shortest = _int(_setting(raw, "maxLength", "max_length")), _int(_setting(raw, "minLength", "min_length"))
        if longest is not None and len(value) > longest:
            return say("{label}: at most {n} characters.", n=longest)
        if shortest is not None and len(value) < shortest:
            return say("{label}: at least {n} characters.", n=shortest)
    return ""
