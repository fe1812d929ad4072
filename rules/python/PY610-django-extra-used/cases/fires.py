User.objects.extra(where=["id = %s" % uid])  # expect: PY610
User.objects.extra(select={"a": expr})  # expect: PY610
