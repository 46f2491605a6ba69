"""Clean-up prunes only what this library labelled, and honours a disk budget."""

from __future__ import annotations

import io
import tarfile

import pytest

from openswe_data import engine
from openswe_data.build.clean import clean

pytestmark = pytest.mark.docker
# never prune the session's real environment images: every call here is narrowed to this test's own
ONLY_OURS = {"openswe.purpose": "clean-test"}


def _tiny_image(client, tag: str, labels: dict[str, str] | None, payload: bytes) -> str:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("data.bin")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    changes = [f"LABEL {k}={v}" for k, v in (labels or {}).items()]
    repo, _, version = tag.partition(":")
    client.api.import_image_from_data(buf.getvalue(), repository=repo, tag=version, changes=changes)
    return client.images.get(tag).id


@pytest.fixture
def images(docker_client):
    made = {
        "old-env": ("openswe-test/clean:old", engine.labels("env", instance="a", purpose="clean-test"), b"a" * 300_000),
        "new-env": ("openswe-test/clean:new", engine.labels("env", instance="b", purpose="clean-test"), b"b" * 300_000),
        "stranger": ("openswe-test/stranger:1", None, b"c" * 300_000),
    }
    for tag, labels, payload in made.values():
        _tiny_image(docker_client, tag, labels, payload)
    yield {k: v[0] for k, v in made.items()}
    for tag, _, _ in made.values():
        try:
            docker_client.images.remove(tag, force=True)
        except Exception:  # noqa: BLE001 - already pruned by the test
            pass


def _tags(client) -> set[str]:
    return {t for img in client.images.list() for t in img.tags}


def test_a_dry_run_lists_without_removing(docker_client, images):
    plan = clean(all_images=True, dry_run=True, select=ONLY_OURS)
    assert {images["old-env"], images["new-env"]} <= set(plan.images)
    assert images["stranger"] not in plan.images
    assert {images["old-env"], images["new-env"], images["stranger"]} <= _tags(docker_client)


def test_a_container_just_created_for_a_run_is_left_alone(docker_client, images):
    young = docker_client.containers.create(images["old-env"], command=["/data.bin"],
                                            labels=engine.labels("eval", instance="a", purpose="clean-test"))
    try:
        assert young.name not in clean(select=ONLY_OURS).containers
        docker_client.containers.get(young.id)
    finally:
        young.remove(force=True)


def test_unlabelled_images_and_containers_are_never_touched(docker_client, images, monkeypatch):
    import openswe_data.build.clean as clean_module

    monkeypatch.setattr(clean_module, "MIN_AGE", 0)  # the leftover below counts as old
    stranger_container = docker_client.containers.create(images["stranger"], command=["/data.bin"])
    ours = docker_client.containers.create(images["old-env"], command=["/data.bin"],
                                           labels=engine.labels("eval", instance="a", purpose="clean-test"))
    try:
        plan = clean(keep={images["new-env"]}, budget_bytes=0, select=ONLY_OURS)
        assert ours.name in plan.containers and stranger_container.name not in plan.containers
        tags = _tags(docker_client)
        assert images["stranger"] in tags
        assert images["old-env"] not in tags
        assert plan.images.index(images["old-env"]) < plan.images.index(images["new-env"]), "unneeded go first"
        docker_client.containers.get(stranger_container.id)  # still there
    finally:
        stranger_container.remove(force=True)


def test_a_budget_above_the_usage_removes_nothing(docker_client, images):
    plan = clean(budget_bytes=10**15, select=ONLY_OURS)
    assert plan.images == []
    assert {images["old-env"], images["new-env"]} <= _tags(docker_client)


def test_head_images_go_with_every_env_image_and_never_under_a_budget(docker_client, images):
    head = "openswe-test/clean-head:1"
    _tiny_image(docker_client, head, engine.labels("head", purpose="clean-test"), b"h" * 1000)
    try:
        assert head not in clean(budget_bytes=0, dry_run=True, select=ONLY_OURS).images  # frees no bytes of its own
        plan = clean(all_images=True, select=ONLY_OURS)
        assert head in plan.images and head not in _tags(docker_client)
        assert images["stranger"] in _tags(docker_client)
    finally:
        try:
            docker_client.images.remove(head, force=True)
        except Exception:  # noqa: BLE001 - removed by the test
            pass
