from django.urls import path

from longwar.donations import views

# No namespace: `donate` and `support` are site-wide names.
urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("support/", views.support, name="support"),
]
