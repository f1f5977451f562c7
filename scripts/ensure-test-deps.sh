#!/usr/bin/env bash
# What `npm test` needs from the machine (npm's `pretest`; .ci/run calls it too):
#   redis-server            tests start private Redis servers (also when REDIS_URL is set: the fault tests restart one)
#   chromium                test/e2e drives the sandbox page with Debian's Chromium at /usr/bin/chromium
#   fonts-noto-color-emoji  emoji in the sandbox screenshot render as boxes without it
# Installs what is missing with apt-get when running as root on Debian/Ubuntu; otherwise stops at
# once with the command to run. Checks only files when everything is present (a few ms).
set -uo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing from Debian for the tests: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "apt-get install ${missing[*]} failed" >&2
  exit 1
fi

echo "npm test needs ${missing[*]}, missing here. Install with:" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
else
  echo "  apt-get update && apt-get install -y ${missing[*]}   (Debian/Ubuntu; the e2e test expects Chromium at /usr/bin/chromium)" >&2
fi
exit 1
