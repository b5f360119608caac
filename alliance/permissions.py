from rest_framework.permissions import BasePermission

from .roles import is_secretariat, is_service_staff


class IsSecretariat(BasePermission):
    """ "(staff)" in the API contract."""

    message = "Only secretariat staff may do this."

    def has_permission(self, request, view):
        return is_secretariat(request.user)


class IsServiceStaff(BasePermission):
    message = "Only secretariat or service-centre staff may do this."

    def has_permission(self, request, view):
        return is_service_staff(request.user)
