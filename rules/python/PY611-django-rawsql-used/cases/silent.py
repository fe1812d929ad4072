from django.db.models.expressions import RawSQL
RawSQL("select 1", [])
