"""The tag slug converter: taggit makes Unicode slugs (letters of any script), so tag URLs accept them."""

from django.urls.converters import SlugConverter


class UnicodeSlugConverter(SlugConverter):
    """Letters and digits of any script, hyphens and underscores: what `slugify(allow_unicode=True)` makes."""

    regex = r"[-\w]+"
