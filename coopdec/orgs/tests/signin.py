"""Signing a persona in for the tests of this app, second factor included."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopdec.orgs.tests.personas import login


def sign_in(client, user) -> None:
    """``personas.login``, then a verified second factor if the session does not hold one yet.

    The back office and DAECT's pages ask for a session that passed the second factor; this puts a confirmed
    TOTP device in the session, as the login page does after a right code.
    """
    login(client, user)
    if user is None or client.session.get(DEVICE_ID_SESSION_KEY):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
