import urllib.parse
urllib.parse.urlparse("http://canary.invalid/")
session.urlopen("x")
