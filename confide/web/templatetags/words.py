"""Template filters that show a stored code as words: `{% load words %}` then `{{ d.purpose|purpose }}`,
`{{ d.recipient_kind|word }}`, `{{ d.grounds|words }}`. The labels are confide.web.describe's (the
pack's own first), so a template never prints a code such as `child_protection`."""

from __future__ import annotations

from django import template

from confide.web import describe

register = template.Library()


@register.filter
def word(code):
    """A word of the vocabulary (recipient kind, grounds, channel, data category, obligation, subject
    role, service, role) in words."""
    return describe.word(code)


@register.filter
def purpose(code):
    """A purpose in words."""
    return describe.purpose(code)


@register.filter
def words(codes):
    """A list of words of the vocabulary, in words, separated by commas."""
    return describe.words(codes)


@register.filter
def action(code):
    """An audit action in words."""
    return describe.action_label(code)


@register.filter
def pack(name):
    """A policy pack's title, from its name."""
    return describe.pack_title(name)
