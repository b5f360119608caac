#!/usr/bin/env bash
# Installs the Debian packages the portal needs beyond Python wheels:
#   CJK fonts (WeasyPrint renders Chinese as empty boxes without one), libharfbuzz-subset0
#   (without it every Chinese PDF page takes seconds), Pango for WeasyPrint, gettext for the
#   translations, poppler-utils to look at PDFs, chromium for the browser tests, docker-compose to validate the compose file.
set -euo pipefail
packages=(fonts-wqy-zenhei fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext poppler-utils chromium docker-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages (install them with your package manager): ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
