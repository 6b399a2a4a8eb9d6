#!/usr/bin/env bash
# Installs the reference simulator the benchmarks are compared against (docs/BENCHMARKS.md):
#   - Brian2 2.5.1 for the system Python (/usr/bin/python3), Debian package python3-brian, with g++ for its
#     C++ standalone device (Tests/EventSnn.Benchmarks/brian2/cuba_coba.py --standalone).
# Neither the build nor the test suite needs it.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
if ! $SUDO apt-get install -y python3-brian g++; then
  $SUDO apt-get update
  $SUDO apt-get install -y python3-brian g++
fi
/usr/bin/python3 -c 'import brian2; print("brian2", brian2.__version__)'
