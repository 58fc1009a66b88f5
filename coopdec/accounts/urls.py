from django.urls import path

from .views import account, session, signup

app_name = "accounts"

urlpatterns = [
    path("", account.account, name="account"),
    # Sign-up, in three steps, and what follows it.
    path("inscription/", signup.kind_step, name="signup"),
    path("inscription/organisation/", signup.organisation_step, name="signup_organisation"),
    path("inscription/organisation/recherche/", signup.organisation_search, name="signup_search"),
    path("inscription/vous/", signup.person_step, name="signup_person"),
    path("inscription/envoyee/", signup.done, name="signup_done"),
    path("inscription/organisation-manquante/", signup.organisation_request, name="organisation_request"),
    path("confirmation/renvoyer/", session.resend_confirmation, name="resend_confirmation"),
    path("confirmation/<str:token>/", signup.confirm, name="confirm"),
    # Signing in and out.
    path("connexion/", session.login_view, name="login"),
    path("connexion/code/", session.login_otp, name="login_otp"),
    path("deconnexion/", session.logout_view, name="logout"),
    # Passwords.
    path("mot-de-passe/", session.password_change, name="password_change"),
    path("mot-de-passe/oublie/", session.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/oublie/envoye/", session.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        session.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        session.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Two-factor authentication.
    path("double-authentification/", account.otp_setup, name="otp_setup"),
    path("double-authentification/codes-de-secours/", account.otp_recovery_codes, name="otp_recovery_codes"),
    path("double-authentification/desactiver/", account.otp_disable, name="otp_disable"),
]
