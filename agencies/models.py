import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    KOTA = "kota", _("Kota")
    KABUPATEN = "kabupaten", _("Kabupaten")
    PROVINSI = "provinsi", _("Provinsi")


class AgencyKind(models.TextChoices):
    PERANGKAT_DAERAH = "perangkat_daerah", _("Perangkat daerah")
    UPTD = "uptd", _("UPTD")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")


class Role(models.TextChoices):
    INNOVATOR = "innovator", _("Innovator")
    REVIEWER = "reviewer", _("Reviewer (Bappeda)")
    ADMIN = "admin", _("Administrator")


# The only allowed parent kind of each kind; kinds absent here stand at the top.
# Migration 0002 enforces the same table with triggers; tests check that the two agree.
PARENT_KIND = {AgencyKind.UPTD: AgencyKind.PERANGKAT_DAERAH, AgencyKind.KELURAHAN: AgencyKind.KECAMATAN}
TOP_KINDS = (AgencyKind.PERANGKAT_DAERAH, AgencyKind.KECAMATAN)


class Region(models.Model):
    """A pemda: the agencies, the SPD profile and the index belong to it."""

    Kind = RegionKind

    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("Kemendagri region code."))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RegionKind.values), name="region_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="region_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def code_problem(code: str, kind: str) -> str | None:
        """Why `code` is not a Kemendagri code for a region of this kind: "73" a province, "73.71" the rest."""
        province = kind == RegionKind.PROVINSI
        if re.fullmatch(r"\d{2}" if province else r"\d{2}\.\d{2}", code):
            return None
        return _("Region code %(code)s is not a Kemendagri code of a %(kind)s (for example %(example)s).") % {
            "code": code,
            "kind": RegionKind(kind).label if kind in RegionKind.values else kind,
            "example": "73" if province else "73.71",
        }


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_region(self, region):
        return self.filter(region=region)

    def visible_to(self, user):
        """Agencies a user may see: their own for innovators, the whole region for Bappeda staff."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser and user.region_id is None:
            return self.all()
        if user.role in (User.Role.ADMIN, User.Role.REVIEWER):
            return self.filter(region_id=user.region_id)
        return self.filter(memberships__user=user, region_id=user.region_id)


class Agency(models.Model):
    """A perangkat daerah, UPTD, kecamatan or kelurahan; the unit that submits one innovation a year."""

    Kind = AgencyKind

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="agencies"
    )
    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Who answers for the agency, and where a reminder reaches it while nobody there has an account.
    head_name = models.CharField(
        _("head of agency"), max_length=200, blank=True, help_text=_("The kepala instansi.")
    )
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Submission reminders go here while the agency has no active innovator."),
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="agency_code_unique_in_region"),
            models.CheckConstraint(condition=Q(kind__in=AgencyKind.values), name="agency_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=TOP_KINDS, parent__isnull=True)
                | Q(kind__in=list(PARENT_KIND), parent__isnull=False),
                name="agency_parent_matches_kind",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="agency_code_not_empty"),
        ]
        indexes = [models.Index(fields=["region", "kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def required_parent_kind(cls, kind: str) -> str | None:
        return PARENT_KIND.get(kind)

    def parent_problem(self, parent: "Agency | None") -> str | None:
        """Why `parent` cannot be this agency's parent, in words a user understands; None if it can."""
        expected = self.required_parent_kind(self.kind)
        kind_label = self.Kind(self.kind).label if self.kind in self.Kind.values else self.kind
        if expected is None:
            if parent is not None:
                return _("A %(kind)s stands at the top of the hierarchy and has no parent agency.") % {
                    "kind": kind_label
                }
            return None
        if parent is None:
            return _("A %(kind)s must belong to a %(parent)s.") % {
                "kind": kind_label,
                "parent": self.Kind(expected).label,
            }
        if parent.kind != expected:
            return _("A %(kind)s must belong to a %(parent)s, not to a %(actual)s.") % {
                "kind": kind_label,
                "parent": self.Kind(expected).label,
                "actual": self.Kind(parent.kind).label,
            }
        if parent.region_id != self.region_id:
            return _("The parent agency belongs to another region.")
        return None

    def clean(self):
        if self.region_id is not None and self.kind:
            problem = self.parent_problem(self.parent)
            if problem:
                raise ValidationError({"parent": problem})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", User.Role.ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def visible_to(self, user):
        """Bappeda staff see the people of their region; an innovator sees only themself."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser and user.region_id is None:
            return self.all()
        if user.is_bappeda:
            return self.filter(region_id=user.region_id)
        return self.filter(pk=user.pk)

    def reviewers_of(self, region):
        """The region's active Bappeda staff who review entries: its reviewers and its administrators.

        `region` is a Region or its primary key.
        """
        return self.filter(region=region, role__in=[Role.REVIEWER, Role.ADMIN], is_active=True)

    def admins_of(self, region):
        """The region's active administrators (a Region or its primary key)."""
        return self.filter(region=region, role=Role.ADMIN, is_active=True)


class User(AbstractBaseUser, PermissionsMixin):
    Role = Role

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    nip = models.CharField(
        _("NIP"), max_length=30, blank=True, help_text=_("Civil-servant number (optional).")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.INNOVATOR)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("agencies"), through="Membership", related_name="people", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    invited_by = models.ForeignKey(
        "self",
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            # Only the installation's superuser may stand outside every region.
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(is_superuser=True), name="user_has_region"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_admin(self) -> bool:
        return self.is_active and (self.role == self.Role.ADMIN or self.is_superuser)

    @property
    def is_reviewer(self) -> bool:
        return self.is_active and self.role == self.Role.REVIEWER

    @property
    def is_bappeda(self) -> bool:
        """Region-wide staff: reviewers and admins see every agency of their region."""
        return self.is_admin or self.is_reviewer

    @property
    def is_innovator(self) -> bool:
        return self.is_active and self.role == self.Role.INNOVATOR

    @property
    def has_set_password(self) -> bool:
        return self.has_usable_password()


class Membership(models.Model):
    """An innovator works for an agency and acts only on its entries."""

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class PasswordResetRequestQuerySet(models.QuerySet):
    def admit(self, *, email: str, ip: str | None, now=None):
        """Record a reset request and return None, or refuse it: the time from which one is accepted again.

        At most REGISTRI_PASSWORD_RESET_LIMIT_PER_EMAIL requests per e-mail address and
        REGISTRI_PASSWORD_RESET_LIMIT_PER_ADDRESS per client address within the window. Every request
        counts, whether or not an account has the address, so a refusal reveals nothing about accounts;
        a refused request is not recorded, so a flood cannot keep the owner from resetting for ever.
        """
        now = now or timezone.now()
        window = timedelta(minutes=settings.REGISTRI_PASSWORD_RESET_WINDOW_MINUTES)
        email = email.strip().lower()
        self.filter(created_at__lt=now - window).delete()
        recent = self.filter(created_at__gte=now - window).order_by("created_at")
        limits = [(recent.filter(email=email), settings.REGISTRI_PASSWORD_RESET_LIMIT_PER_EMAIL)]
        if ip:
            limits.append((recent.filter(ip=ip), settings.REGISTRI_PASSWORD_RESET_LIMIT_PER_ADDRESS))
        retry_at = None
        for requests, limit in limits:
            times = list(requests.values_list("created_at", flat=True))
            if len(times) >= limit:
                # Accepted again once enough of the oldest have left the window to fall below the limit.
                free_at = times[len(times) - limit] + window
                retry_at = max(retry_at, free_at) if retry_at else free_at
        if retry_at is None:
            self.create(email=email, ip=ip, created_at=now)
        return retry_at


class PasswordResetRequest(models.Model):
    """One password-reset request, kept for the throttling window only (pruned by `admit`)."""

    email = models.EmailField(_("e-mail address"))
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)

    objects = PasswordResetRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("password-reset request")
        verbose_name_plural = _("password-reset requests")
        indexes = [
            models.Index(fields=["email", "created_at"], name="password_reset_email_idx"),
            models.Index(fields=["ip", "created_at"], name="password_reset_ip_idx"),
            models.Index(fields=["created_at"], name="password_reset_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"
