"""Small template filters of the situation-room pages."""

import datetime as dt
import math

from django import template

register = template.Library()


@register.filter
def absolute(value):
    """``-3`` → ``3`` (days after voting day are counted as positive numbers in sentences)."""
    try:
        return abs(int(value))
    except (TypeError, ValueError):
        return value


@register.filter
def minutes_ceil(value):
    """A timedelta (or hours as a number, as django-axes may give) in whole minutes, rounded up."""
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    else:
        try:
            seconds = float(value) * 3600
        except (TypeError, ValueError):
            return value
    return max(1, math.ceil(seconds / 60))
