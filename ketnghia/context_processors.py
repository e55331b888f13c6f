from django.conf import settings


def site(request):
    return {"province_name": settings.PROVINCE_NAME}
