"""Every URL of the activities area, under the "activities" namespace."""

from django.urls import path

from .views import activities, budget, campaigns, registry

app_name = "activities"
urlpatterns = [
    path("", activities.activity_list, name="list"),
    path("export.xlsx", activities.activity_export, name="export"),
    path("new/", activities.activity_new, name="new"),
    path("<int:pk>/", activities.activity_detail, name="activity"),
    path("<int:pk>/edit/", activities.activity_edit, name="edit"),
    path("<int:pk>/delete/", activities.activity_delete, name="delete"),
    path("<int:pk>/repeat/", activities.activity_repeat, name="repeat"),
    path("<int:pk>/files/", activities.file_new, name="file_new"),
    path("files/<int:pk>/", activities.file_download, name="file"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_board, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/export.xlsx", campaigns.campaign_export, name="campaign_export"),
    path("models/", registry.model_list, name="models"),
    path("models/new/", registry.model_new, name="model_new"),
    path("models/export.xlsx", registry.models_export, name="models_export"),
    path("models/types/", registry.model_types, name="model_types"),
    path("models/<int:pk>/", registry.model_detail, name="model"),
    path("models/<int:pk>/edit/", registry.model_edit, name="model_edit"),
    path("models/<int:pk>/replicate/", registry.model_replicate, name="model_replicate"),
    path("models/<int:pk>/reviews/new/", registry.model_review_new, name="model_review_new"),
    path("inspections/", registry.inspection_list, name="inspections"),
    path("inspections/new/", registry.inspection_new, name="inspection_new"),
    path("inspections/export.xlsx", registry.inspections_export, name="inspections_export"),
    path("inspections/<int:pk>/", registry.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", registry.inspection_edit, name="inspection_edit"),
    path("commendations/", registry.commendation_list, name="commendations"),
    path("commendations/new/", registry.commendation_new, name="commendation_new"),
    path("commendations/export.xlsx", registry.commendations_export, name="commendations_export"),
    path("commendations/<int:pk>/", registry.commendation_detail, name="commendation"),
    path("commendations/<int:pk>/edit/", registry.commendation_edit, name="commendation_edit"),
    path("budget/", budget.budget, name="budget"),
    path("budget/new/", budget.budget_new, name="budget_new"),
    path("budget/export.xlsx", budget.budget_export, name="budget_export"),
    path("budget/<int:pk>/edit/", budget.budget_edit, name="budget_edit"),
]
