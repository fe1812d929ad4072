from mako.template import Template
Template("hello ${name}")  # expect: PY702
import mako
mako.template.Template("x")  # expect: PY702
