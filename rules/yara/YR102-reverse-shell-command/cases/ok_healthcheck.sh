#!/bin/bash
# Waits for the inference server: /dev/tcp used as a port probe, no shell on it.
until (echo > /dev/tcp/localhost/8080) 2>/dev/null; do sleep 1; done
nc -z localhost 8080 && echo "server up"
exec python serve.py --port 8080
