"""The ceiling: a hello-world Django view with no middleware, served by the same gunicorn as the site.

`gunicorn --chdir bench hello:application`; `make bench` compares every page's throughput with this one.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

settings.configure(DEBUG=False, SECRET_KEY="hello", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, MIDDLEWARE=[])


def hello(request):
    return HttpResponse("Hello, world!", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
