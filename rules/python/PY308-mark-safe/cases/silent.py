from django.utils.html import format_html
format_html('<b>{}</b>', name)
# A name that only looks alike is not reported:
obj.mark_safe(x)
