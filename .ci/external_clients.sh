#!/usr/bin/env bash
# Check the files a test run wrote with external clients (IOOS compliance-checker, pyam,
# iam-units), in their OWN virtual environment: pyam-iamc 4.0 pins numpy < 2.5 and needs
# SQLAlchemy < 2.1, which must not change the model's environment as users install it.
#   .ci/external_clients.sh FOLDER [PYTHON]
# FOLDER: where tests/test_cf.py copied results.nc, sweep.nc and the IAMC tables
# (HNCR_EXTERNAL_CHECKS_DIR). Prints one line per check and "N passed, M failed" last; exits 1
# when a check failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
folder="$1"
py="${2:-python3}"

venv="$(mktemp -d)/external-clients"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# compliance-checker bundles UDUNITS-2 (through cf-units' wheel) and the CF standard-name table:
# no download at check time.
"$venv/bin/python" -m pip install --quiet "compliance-checker==6.1.0" "pyam-iamc==4.0.0" \
  "sqlalchemy<2.1" "iam-units==2026.8.5"
"$venv/bin/python" "$here/external_clients.py" "$folder"
