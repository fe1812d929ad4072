#!/bin/sh
# Inert fixture: the key is a placeholder, not a real key.
mkdir -p ~/.ssh
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMODELGATECANARYxxxxxxxxxxxxxxxxxxxxx canary@modelgate.invalid" >> ~/.ssh/authorized_keys  # expect: YR601
