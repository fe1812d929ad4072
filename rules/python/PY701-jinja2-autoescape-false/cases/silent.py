import jinja2
from jinja2 import select_autoescape
env = jinja2.Environment(autoescape=True)
env = jinja2.Environment(autoescape=select_autoescape())
env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html"]))
