"""Build-time network settings -> docker build arguments, build-context files and Dockerfile lines.

Input: ``Settings`` (``ca_bundle``, ``index_url``, ``http_proxy``, ``https_proxy``). Output: what an image
build needs so ``pip`` and ``apt`` reach the package index from inside the build container — behind a
TLS-inspecting proxy, a private index or an HTTP proxy — without anything secret ending up in the image:

* the CA bundle is copied into the build context (``openswe-ca.pem``) and into the image (certificates are
  public), and ``PIP_CERT`` / ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE`` point at it *during the build only*
  (they are ``ARG``s, not ``ENV``s);
* the index URL becomes ``PIP_INDEX_URL`` (an ``ARG``; ``docker history`` shows ARG values, so an index URL
  carrying a password is refused);
* proxies are Docker's predefined proxy build arguments, which Docker keeps out of ``docker history`` and
  never persists into the image, so credentials in a proxy URL stay out of every layer.

Why here and not in templates: the same settings serve every Dockerfile (base images, environments) and
every recipe stays free of site-specific hosts.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from openswe_data.errors import ConfigError
from openswe_data.settings import Settings

CA_CONTEXT_NAME = "openswe-ca.pem"
"""Name of the CA bundle inside the build context."""
CA_IMAGE_PATH = "/usr/local/share/openswe/ca.pem"
"""Where the CA bundle is copied inside the image."""
CA_ARGS = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")
INDEX_ARGS = ("PIP_INDEX_URL",)
# Docker's predefined build args: usable in RUN, never written into the image or its history.
PROXY_ARGS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy")


def build_network_args(settings: Settings | None = None) -> tuple[dict[str, str], dict[str, bytes]]:
    """``(buildargs, context_files)`` for ``docker build`` from the network settings.

    Put ``network_dockerfile_lines(context_files)`` right after ``FROM`` so the Dockerfile declares the
    arguments and copies the CA bundle; unset settings produce no arguments and no files.
    """
    settings = settings or Settings()
    buildargs: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if settings.ca_bundle:
        path = Path(settings.ca_bundle)
        try:
            files[CA_CONTEXT_NAME] = path.read_bytes()
        except OSError as exc:
            raise ConfigError(
                f"the CA bundle {path} cannot be read ({exc.strerror})",
                hint="set OPENSWE_CA_BUNDLE to a readable PEM file, or unset it",
            ) from None
        if b"-----BEGIN CERTIFICATE-----" not in files[CA_CONTEXT_NAME]:
            raise ConfigError(f"the CA bundle {path} holds no PEM certificate", hint="point OPENSWE_CA_BUNDLE at a PEM file")
        buildargs.update({name: CA_IMAGE_PATH for name in CA_ARGS})
    if settings.index_url:
        if urlsplit(settings.index_url).password:
            raise ConfigError(
                "the package index URL (OPENSWE_INDEX_URL / PIP_INDEX_URL) carries a password, which "
                "`docker history` would show in every image",
                hint="use an index without credentials in the URL (e.g. a local forwarding proxy that adds them)",
            )
        buildargs["PIP_INDEX_URL"] = settings.index_url
    for name, value in (("HTTP_PROXY", settings.http_proxy), ("HTTPS_PROXY", settings.https_proxy)):
        if value:
            if urlsplit(value).password:
                # proxy build args stay out of `docker history`, but every RUN (setup.py included) sees
                # them, so repository code could copy a password into a layer
                raise ConfigError(
                    f"the {name.lower()} URL (OPENSWE_{name} / {name}) carries a password, which code run "
                    "during the build could copy into the image",
                    hint="use a proxy without credentials in the URL (e.g. a local forwarding proxy that adds them)",
                )
            buildargs[name] = buildargs[name.lower()] = value
    return buildargs, files


def check_network_settings(settings: Settings | None = None) -> None:
    """Refuse, before any work starts, network settings no build could use (``ConfigError``, exit 2,
    naming the setting): otherwise every build of the run fails the same way, one after another."""
    build_network_args(settings)


def network_dockerfile_lines(context_files: dict[str, bytes]) -> str:
    """The Dockerfile lines (after ``FROM``) that make ``build_network_args``'s arguments take effect."""
    lines = []
    if CA_CONTEXT_NAME in context_files:
        lines.append(f"COPY {CA_CONTEXT_NAME} {CA_IMAGE_PATH}")
        lines += [f"ARG {name}" for name in CA_ARGS]
    lines += [f"ARG {name}" for name in INDEX_ARGS]
    return "\n".join(lines)


def subprocess_env(settings: Settings | None = None) -> dict[str, str]:
    """The same settings as environment variables for a build run on the host (mmdebstrap, its hooks)."""
    settings = settings or Settings()
    env: dict[str, str] = {}
    if settings.index_url:
        env["PIP_INDEX_URL"] = settings.index_url
    for name, value in (("http_proxy", settings.http_proxy), ("https_proxy", settings.https_proxy)):
        if value:
            env[name] = env[name.upper()] = value
    return env
