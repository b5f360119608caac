app_name = "greenmine"

urlpatterns = []
