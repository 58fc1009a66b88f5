"""The accounts pages: sign-up (signup.py), signing in and out (session.py), "Mon compte" (account.py)."""
