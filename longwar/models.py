from django.db import models


class LoadedSeed(models.Model):
    """A seed document `load_seeds` has loaded: it is never loaded again, so what staff changed or deleted stays so."""

    article_slug = models.SlugField(max_length=200, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.article_slug
