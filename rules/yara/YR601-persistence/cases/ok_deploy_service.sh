#!/bin/sh
# Deploys the inference server as a service: a unit and systemctl enable, running the repo's code.
cat > /etc/systemd/system/model-server.service <<UNIT
[Service]
ExecStart=/usr/bin/python3 /opt/model/serve.py --port 8080
Restart=always
UNIT
systemctl daemon-reload
systemctl enable --now model-server
