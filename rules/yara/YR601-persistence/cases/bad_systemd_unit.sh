#!/bin/sh
# Inert fixture: the canary path does not exist.
cat > /etc/systemd/system/modelgate-canary.service <<UNIT  # expect: YR601
[Service]
ExecStart=/tmp/modelgate-canary
UNIT
systemctl enable --now modelgate-canary
