from pysnmp.hlapi import UsmUserData
UsmUserData("user", "authkey", "privkey")
UsmUserData("user", authKey="a", privKey="p")
