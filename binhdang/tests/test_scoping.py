from django.apps import apps

OUR_APPS = {
    "core",
    "analytics",
    "orgs",
    "accounts",
    "audit",
    "plans",
    "indicators",
    "reports",
    "cases",
    "activities",
}


def test_every_model_has_for_user():
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    assert len(models) >= 10
    missing = [m.__name__ for m in models if not hasattr(m.objects, "for_user")]
    assert missing == []
