from markupsafe import Markup, escape
Markup("<b>constant</b>")
escape(user_html)
