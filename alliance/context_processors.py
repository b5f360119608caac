from .roles import is_secretariat, is_service_staff, role_names


def roles(request):
    user = getattr(request, "user", None)
    return {
        "user_roles": role_names(user),
        "is_secretariat": is_secretariat(user),
        "is_service_staff": is_service_staff(user),
    }
