import jinja2
env = jinja2.Environment(loader=loader)  # expect: PY701
env = jinja2.Environment(autoescape=False)  # expect: PY701
env = jinja2.Environment(autoescape=flag)  # expect: PY701
