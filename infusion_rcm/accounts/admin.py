"""User administration, for admins only (the site itself checks USER_MANAGE per model).

An admin gives each user exactly one role. Nobody becomes a superuser or gets raw permissions
through this page (those fields are not on it unless a superuser is editing), an admin cannot
change their own role or switch their own account off, and a superuser's account is out of an
admin's reach. Role changes, password changes and changes of the sign-in fields are audited by
the model and the group signal (accounts/models.py, accounts/signals.py), whichever page made them.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from infusion_rcm.accounts.models import ApiToken, User
from infusion_rcm.accounts.roles import Capability, Role, user_has

ROLE_CHOICES = [(r.value, r.value.capitalize()) for r in Role]


def _current_role(user: User | None) -> str | None:
    if user is None or user.pk is None:
        return None
    return user.groups.values_list("name", flat=True).order_by("name").first()


class RoleFormMixin(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, help_text="One role per person: what they may see and do.")


class UserChangeWithRoleForm(RoleFormMixin, UserChangeForm):
    pass


class UserAddWithRoleForm(RoleFormMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeWithRoleForm
    add_form = UserAddWithRoleForm
    list_display = ("username", "first_name", "last_name", "is_active", "role_name")
    list_filter = ("is_active", "groups")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "is_active")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )
    superuser_fieldsets = (
        *fieldsets,
        ("Superuser only", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="Role")
    def role_name(self, obj: User) -> str:
        return ", ".join(sorted(g.name for g in obj.groups.all())) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            return base
        role = _current_role(obj)
        # Separation of duties: an admin cannot give themselves another role (biller) or lock
        # themselves out; another admin does it, and the audit log shows who.
        own = obj.pk == request.user.pk and not request.user.is_superuser

        class UserForm(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)  # self.fields are this form's own copies
                self.fields["role"].initial = role
                if own:
                    for name in ("role", "is_active"):
                        self.fields[name].disabled = True
                        self.fields[name].help_text = "Another administrator changes this for you."

        return UserForm

    def save_model(self, request, obj, form, change):
        role = form.cleaned_data.get("role")
        if not request.user.is_superuser:
            # Kept as they were, whatever was posted: only a superuser grants these.
            if change:
                stored = User.objects.get(pk=obj.pk)
                obj.is_superuser = stored.is_superuser
            else:
                obj.is_superuser = False
        if role and not (change and obj.pk == request.user.pk and not request.user.is_superuser):
            obj.is_staff = role == Role.ADMIN or obj.is_superuser
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        role = form.cleaned_data.get("role")
        editing_self = change and user.pk == request.user.pk and not request.user.is_superuser
        if role and not editing_self and (role != _current_role(user) or user.groups.count() != 1):
            user.groups.set([Group.objects.get(name=role)])
        if not request.user.is_superuser:
            user.user_permissions.clear()

    def _allowed(self, request) -> bool:
        return user_has(request.user, Capability.USER_MANAGE)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # an admin cannot take over (or reset the password of) a superuser
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps pointing at the person


# knox registers its own token admin, which shows a new token in plain text to whoever makes it
# (for any user). Tokens are made by their owner on /accounts/tokens/; admins only see and revoke.
for _model in (ApiToken,):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "token_key", "created", "expiry")
    list_filter = ("user",)
    fields = ("user", "label", "token_key", "created", "expiry")
    readonly_fields = fields

    def has_module_permission(self, request):
        return user_has(request.user, Capability.USER_MANAGE)

    def has_view_permission(self, request, obj=None):
        return user_has(request.user, Capability.USER_MANAGE)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return user_has(request.user, Capability.USER_MANAGE)  # revoke someone's token


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Failed sign-ins counted by django-axes; deleting a row unlocks that user name."""

    list_display = ("username", "failures_since_start", "attempt_time", "ip_address", "path_info")
    search_fields = ("username",)
    fields = ("username", "failures_since_start", "attempt_time", "ip_address", "path_info")
    readonly_fields = fields

    def has_module_permission(self, request):
        return user_has(request.user, Capability.USER_MANAGE)

    def has_view_permission(self, request, obj=None):
        return user_has(request.user, Capability.USER_MANAGE)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return user_has(request.user, Capability.USER_MANAGE)
