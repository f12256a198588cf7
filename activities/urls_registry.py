from django.urls import path

from . import views_budget, views_registry

urlpatterns = [
    path("models/", views_registry.model_list, name="models"),
    path("models/new/", views_registry.model_new, name="model_new"),
    path("models/export.xlsx", views_registry.models_export, name="models_export"),
    path("models/types/", views_registry.model_types, name="model_types"),
    path("models/<int:pk>/", views_registry.model_detail, name="model"),
    path("models/<int:pk>/edit/", views_registry.model_edit, name="model_edit"),
    path("models/<int:pk>/replicate/", views_registry.model_replicate, name="model_replicate"),
    path("models/<int:pk>/reviews/new/", views_registry.model_review_new, name="model_review_new"),
    path("inspections/", views_registry.inspection_list, name="inspections"),
    path("inspections/new/", views_registry.inspection_new, name="inspection_new"),
    path("inspections/export.xlsx", views_registry.inspections_export, name="inspections_export"),
    path("inspections/<int:pk>/", views_registry.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", views_registry.inspection_edit, name="inspection_edit"),
    path("commendations/", views_registry.commendation_list, name="commendations"),
    path("commendations/new/", views_registry.commendation_new, name="commendation_new"),
    path(
        "commendations/export.xlsx",
        views_registry.commendations_export,
        name="commendations_export",
    ),
    path("commendations/<int:pk>/", views_registry.commendation_detail, name="commendation"),
    path(
        "commendations/<int:pk>/edit/", views_registry.commendation_edit, name="commendation_edit"
    ),
    path("budget/", views_budget.budget, name="budget"),
    path("budget/new/", views_budget.budget_new, name="budget_new"),
    path("budget/export.xlsx", views_budget.budget_export, name="budget_export"),
    path("budget/<int:pk>/edit/", views_budget.budget_edit, name="budget_edit"),
]
