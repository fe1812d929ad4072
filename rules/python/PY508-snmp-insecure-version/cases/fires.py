from pysnmp.hlapi import CommunityData
CommunityData("public", mpModel=0)  # expect: PY508
CommunityData("public", mpModel=1)  # expect: PY508
