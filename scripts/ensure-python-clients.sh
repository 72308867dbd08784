#!/usr/bin/env bash
# test/api/python-clients.test.ts and test/api/readme-examples.test.ts read the portal with Debian's
# requests, pandas and rdflib, as Python users do. Installs python3-requests, python3-pandas and
# python3-rdflib with apt-get when missing and we may; never fails (without them those tests skip
# their Python parts and say so).
set -u
if /usr/bin/python3 -c 'import requests, pandas, rdflib' >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "requests/pandas/rdflib missing: installing Debian's python3-pandas and python3-rdflib for the Python client test…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-requests python3-pandas python3-rdflib >/dev/null 2>&1 \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-requests python3-pandas python3-rdflib >/dev/null 2>&1; }
fi
/usr/bin/python3 -c 'import requests, pandas, rdflib' >/dev/null 2>&1 || echo "The Python client test will be skipped: apt-get install -y python3-requests python3-pandas python3-rdflib" >&2
exit 0
