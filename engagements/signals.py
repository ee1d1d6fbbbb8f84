"""Keep each meeting's derived country set in step with its venue and participants.

Fixture loading (raw saves) is skipped: fixtures carry the derived set themselves.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Meeting, Official, Participation


@receiver(post_save, sender=Meeting)
def meeting_saved(sender, instance: Meeting, raw: bool = False, **kwargs) -> None:
    if not raw:
        instance.refresh_countries()


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
def participation_changed(sender, instance: Participation, raw: bool = False, **kwargs) -> None:
    origin = kwargs.get("origin")
    deleting_meetings = isinstance(origin, Meeting) or getattr(origin, "model", None) is Meeting
    if raw or deleting_meetings:  # the meeting itself is going: nothing to refresh
        return
    meeting = Meeting.objects.filter(pk=instance.meeting_id).first()
    if meeting is not None:
        meeting.refresh_countries()


@receiver(pre_save, sender=Official)
def remember_official_country(sender, instance: Official, raw: bool = False, **kwargs) -> None:
    previous = None
    if not raw and instance.pk:
        previous = Official.objects.filter(pk=instance.pk).values_list("country", flat=True).first()
    instance._previous_country_id = previous


@receiver(post_save, sender=Official)
def official_saved(sender, instance: Official, raw: bool = False, **kwargs) -> None:
    previous = getattr(instance, "_previous_country_id", None)
    if raw or previous is None or previous == instance.country_id:
        return
    for meeting in Meeting.objects.filter(participations__official=instance).distinct():
        meeting.refresh_countries()
