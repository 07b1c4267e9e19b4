#!/usr/bin/env bash
# Make sure a Chromium is available for the browser tests (tests/test_browser.py).
# Uses the OS package manager when we are root and Chromium is missing; otherwise explains.
set -u
for candidate in chromium chromium-browser google-chrome; do
  if command -v "$candidate" >/dev/null 2>&1; then
    exit 0
  fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Chromium from the OS packages (needed by the browser tests)..."
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-browser >/dev/null 2>&1 \
    || echo "ensure-chromium: could not install Chromium; the browser tests will be skipped."
else
  echo "ensure-chromium: no Chromium found and no way to install it here; the browser tests will be skipped."
  echo "  (install it with your OS package manager, e.g. 'sudo apt-get install chromium')"
fi
exit 0
