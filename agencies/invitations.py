from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def invitation_path(user) -> str:
    return reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def invitation_link(user, *, base_url: str) -> str:
    return base_url.rstrip("/") + invitation_path(user)


def send_invitation(user, *, invited_by, base_url: str) -> None:
    """E-mail a link with which the person sets a password and signs in for the first time.

    `invited_by` is None for a region's first administrator, registered from the command line.
    """
    context = {"person": user, "invited_by": invited_by, "link": invitation_link(user, base_url=base_url)}
    subject = render_to_string("agencies/email/invitation_subject.txt", context).strip()
    body = render_to_string("agencies/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])
