from django.utils.safestring import mark_safe
mark_safe("<b>constant</b>")  # expect: PY308
