#!/bin/sh
# Inert fixture: the canary host never resolves (.invalid).
curl -s -o /tmp/modelgate-canary http://canary.modelgate.invalid/x  # expect: YR301
chmod +x /tmp/modelgate-canary
/tmp/modelgate-canary &
