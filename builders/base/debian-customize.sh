#!/bin/sh
# mmdebstrap customize hook for the debian source: runs after the packages are installed, before
# mmdebstrap's cleanup. $1 is the root folder of the new image. Environment (set by base_images.py):
#   OPENSWE_WORKDIR       folder to create for the repository (e.g. /testbed)
#   OPENSWE_PIP_PACKAGES  space-separated pinned requirements installed into /opt/venv (may be empty)
#   OPENSWE_CA_BUNDLE     host path of a CA bundle for TLS to the package index (may be empty)
#   PIP_INDEX_URL, http_proxy, https_proxy (optional) are passed through to pip.
set -eu
root="$1"

# A venv of its own (no --system-site-packages): what the repository pins is all the tests see. A Debian
# pytest visible through the system site satisfied a repository's `pytest<7` while running against the
# repository's own pins of py or pluggy; so pytest comes from the index into the venv, like everything else.
chroot "$root" python3 -m venv /opt/venv

if [ -n "${OPENSWE_PIP_PACKAGES:-}" ]; then
    cert=""
    if [ -n "${OPENSWE_CA_BUNDLE:-}" ]; then
        cp "$OPENSWE_CA_BUNDLE" "$root/tmp/openswe-ca.pem"
        cert=/tmp/openswe-ca.pem
    fi
    added_resolv=""
    if [ ! -s "$root/etc/resolv.conf" ] && [ -f /etc/resolv.conf ]; then
        cp /etc/resolv.conf "$root/etc/resolv.conf"
        added_resolv=1
    fi
    # shellcheck disable=SC2086  # the package list is meant to split on spaces
    chroot "$root" env ${cert:+PIP_CERT=$cert} HOME=/root \
        /opt/venv/bin/pip install --no-cache-dir --upgrade $OPENSWE_PIP_PACKAGES
    rm -f "$root/tmp/openswe-ca.pem"
    if [ -n "$added_resolv" ]; then rm -f "$root/etc/resolv.conf"; fi
fi

# Byte-code caches written while building are not part of the image.
find "$root/opt/venv" -name __pycache__ -type d -prune -exec rm -rf {} +
mkdir -p "$root${OPENSWE_WORKDIR:-/testbed}"

# Fail the build here, with a clear message, rather than ship an image the environments cannot use.
chroot "$root" /opt/venv/bin/python -c "import pytest, sys; print('python', sys.version.split()[0], 'pytest', pytest.__version__)"
for tool in git patch gcc make bash; do
    chroot "$root" sh -c "command -v $tool >/dev/null" || { echo "base image lacks $tool" >&2; exit 1; }
done
