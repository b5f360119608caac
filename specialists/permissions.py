"""Who may see and manage specialists: the same rules for the API, the pages and the admin."""

from alliance.permissions import IsServiceStaff
from alliance.roles import is_service_staff

# Specialists are managed by the secretariat and by the service centre (第一条, 第六条).
CanManageSpecialists = IsServiceStaff


def can_view_specialist(user, specialist):
    """Staff see every specialist; a specialist sees only themself."""
    return is_service_staff(user) or (user.is_authenticated and specialist.user_id == user.pk)
