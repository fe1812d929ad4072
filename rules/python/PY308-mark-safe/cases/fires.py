from django.utils.safestring import mark_safe
mark_safe(html)  # expect: PY308, PY703
