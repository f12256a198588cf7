from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.element_list, name="elements"),
    path("elements/new/", views.element_new, name="element_new"),
    path("elements/<int:pk>/", views.element_edit, name="element_edit"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_new, name="category_new"),
    path("combos/", views.combo_list, name="combos"),
    path("combos/new/", views.combo_new, name="combo_new"),
    path("computed/", views.indicator_list, name="indicators"),
    path("computed/new/", views.indicator_new, name="indicator_new"),
    path("computed/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("targets/", views.target_list, name="targets"),
    path("targets/<int:pk>/", views.target_edit, name="target_edit"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("bounds/new/", views.bound_new, name="bound_new"),
    path("bounds/<int:pk>/", views.bound_edit, name="bound_edit"),
    path("bounds/<int:pk>/delete/", views.bound_delete, name="bound_delete"),
    path("exchange/", views.exchange, name="exchange"),
    path("exchange/import/", views.import_view, name="import"),
    path("exchange/<slug:kind>.<slug:extension>", views.export, name="export"),
]
