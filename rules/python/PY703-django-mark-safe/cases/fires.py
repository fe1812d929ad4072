from django.utils.safestring import mark_safe
mark_safe(user_html)  # expect: PY703, PY308
mark_safe(f"<b>{name}</b>")  # expect: PY703, PY308
