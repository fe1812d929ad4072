from django.db.models.expressions import RawSQL
RawSQL("select " + col, [])  # expect: PY611
