User.objects.extra(where=["id = 1"])
User.objects.extra(select={"a": "1"})
