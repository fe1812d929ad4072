from markupsafe import Markup
Markup(user_html)  # expect: PY704
Markup("<b>%s</b>" % name)  # expect: PY704
