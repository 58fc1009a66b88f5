"""An extraction's file goes with its record, however the record goes: deleted by its owner, or with the
account (a cascade, which never calls ``Extraction.delete``). The file is removed after commit, so a
rolled-back deletion keeps it."""

from django.db import transaction
from django.db.models.signals import post_delete

from .models import Extraction


def extraction_deleted(sender, instance, **kwargs):
    path = instance.path
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def connect():
    post_delete.connect(extraction_deleted, sender=Extraction, dispatch_uid="workspace-extraction-file")
