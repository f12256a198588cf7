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
]
