from pysnmp.hlapi import UsmUserData
UsmUserData("user")  # expect: PY509
UsmUserData("user", "authkey")  # expect: PY509
