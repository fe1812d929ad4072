# -*- coding: utf-8 -*-
access = "user‮ ⁦# admin⁩ ⁦"  # expect: PY613
ok = "plain"
