from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import ngettext
from taggit.models import Tag as TaggitTag

from articles.search import article_update_search_vector
from tags.forms import TagMergeForm
from tags.models import Tag, TagRedirect
from tags.services import tag_merge


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "featured", "order", "article_count"]
    list_editable = ["featured", "order"]
    list_filter = ["featured"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            article_update_search_vector(*obj.tagged_articles.values_list("content_object_id", flat=True))

    def has_merge_permission(self, request) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count

    @admin.action(description="Merge selected tags…", permissions=["merge"])
    def merge_tags(self, request, queryset):
        """Ask which tag survives on a confirmation page (like delete), then merge the others into it."""
        if len(queryset) < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return None
        form = TagMergeForm(request.POST if "confirm" in request.POST else None, tags=queryset)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            others = [tag for tag in queryset if tag.pk != survivor.pk]
            retagged = tag_merge(survivor=survivor, others=others)
            self.message_user(
                request,
                ngettext(
                    "Merged %(tags)d tag into “%(survivor)s”; %(articles)d article retagged.",
                    "Merged %(tags)d tags into “%(survivor)s”; %(articles)d articles retagged.",
                    len(others),
                )
                % {"tags": len(others), "survivor": survivor, "articles": retagged},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge tags",
            "opts": self.opts,
            "tags": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tags/tag/merge_confirmation.html", context)


@admin.register(TagRedirect)
class TagRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "tag"]
    list_select_related = ["tag"]
    search_fields = ["old_slug", "tag__name"]
    raw_id_fields = ["tag"]


# The project uses tags.Tag; taggit's own model stays empty, so hide it.
admin.site.unregister(TaggitTag)
