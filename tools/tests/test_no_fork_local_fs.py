"""The local file system local_spark installs: the same behaviour as Hadoop's, without child processes.

Hadoop answers ``setPermission`` with a ``chmod`` process and a link status with a ``readlink``
process when the native libhadoop is absent; tools/jvm/local-fs answers both with java.nio. These
tests pin the behaviour Spark and Delta rely on (how many processes each version starts is
measured by tools/benchmarks/local_fs_cost.py).
"""
from __future__ import annotations

import os
import stat

import pytest
from py4j.protocol import Py4JJavaError

from catalog_tools.spark import NO_FORK_LOCAL_FS


@pytest.fixture(scope="module")
def hadoop(spark):
    """The JVM view, the local FileSystem and the local FileContext of the test session."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    local = jvm.java.net.URI("file:///")
    hadoop_fs = jvm.org.apache.hadoop.fs
    return jvm, hadoop_fs.FileSystem.get(local, conf), hadoop_fs.FileContext.getFileContext(local, conf)


def _path(jvm, local_path):
    return jvm.org.apache.hadoop.fs.Path(f"file://{local_path}")


def test_local_spark_installs_the_no_fork_file_system_for_both_hadoop_apis(hadoop):
    jvm, file_system, file_context = hadoop

    def class_of(java_object):
        return java_object.getClass().getName()

    assert class_of(file_system) == NO_FORK_LOCAL_FS["spark.hadoop.fs.file.impl"]
    assert class_of(file_system.getRawFileSystem()) == "io.github.iotcatalog.localfs.NoForkRawLocalFileSystem"
    file_context_class = NO_FORK_LOCAL_FS["spark.hadoop.fs.AbstractFileSystem.file.impl"]
    assert class_of(file_context.getDefaultFileSystem()) == file_context_class


@pytest.mark.parametrize("mode", [0o640, 0o755, 0o600, 0o444])
def test_set_permission_gives_the_file_exactly_the_mode(hadoop, tmp_path, mode):
    jvm, file_system, _ = hadoop
    target = tmp_path / "part-0000.parquet"
    target.write_bytes(b"x")

    file_system.setPermission(_path(jvm, target), jvm.org.apache.hadoop.fs.permission.FsPermission(mode))

    assert stat.S_IMODE(os.stat(target).st_mode) == mode


def test_created_files_get_the_default_mode_under_the_umask(hadoop, tmp_path):
    jvm, file_system, _ = hadoop
    target = tmp_path / "00000000000000000000.json"
    umask = jvm.org.apache.hadoop.fs.permission.FsPermission.getUMask(file_system.getConf()).toShort()

    file_system.create(_path(jvm, target)).close()

    assert stat.S_IMODE(os.stat(target).st_mode) == 0o666 & ~umask


def test_link_status_of_a_regular_file_is_the_file_status(hadoop, tmp_path):
    jvm, file_system, _ = hadoop
    regular = tmp_path / "regular"
    regular.write_bytes(b"12345")

    status = file_system.getFileLinkStatus(_path(jvm, regular))

    assert (status.isSymlink(), status.isFile(), status.getLen()) == (False, True, 5)


def test_link_status_of_a_symlink_names_its_target_and_stays_a_link(hadoop, tmp_path):
    jvm, file_system, _ = hadoop
    (tmp_path / "target").write_bytes(b"123")
    (tmp_path / "link").symlink_to(tmp_path / "target")

    status = file_system.getFileLinkStatus(_path(jvm, tmp_path / "link"))

    assert status.isSymlink()
    assert status.getSymlink().toString() == f"file:{tmp_path / 'target'}"
    assert file_system.getRawFileSystem().getLinkTarget(_path(jvm, tmp_path / "link")).toString() == str(
        tmp_path / "target")


def test_a_dangling_symlink_has_a_link_status_and_a_missing_path_raises_file_not_found(hadoop, tmp_path):
    jvm, file_system, _ = hadoop
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")

    assert file_system.getFileLinkStatus(_path(jvm, tmp_path / "dangling")).isSymlink()
    with pytest.raises(Py4JJavaError, match="FileNotFoundException"):
        file_system.getFileLinkStatus(_path(jvm, tmp_path / "never-written"))


def test_file_context_rename_refuses_an_existing_target_as_delta_commits_require(hadoop, tmp_path):
    """Delta's HDFSLogStore commits version N by renaming a temp file onto N.json without
    overwrite: the rename must fail when another writer committed N first."""
    jvm, _, file_context = hadoop
    (tmp_path / "temp-a").write_text("a")
    (tmp_path / "00000000000000000001.json").write_text("committed first")
    no_overwrite = jvm.org.apache.hadoop.fs.Options.Rename.values()[0]  # NONE
    assert no_overwrite.toString() == "NONE"
    renames = jvm.java.lang.reflect.Array.newInstance(no_overwrite.getClass(), 1)
    renames[0] = no_overwrite

    with pytest.raises(Py4JJavaError, match="FileAlreadyExistsException"):
        file_context.rename(_path(jvm, tmp_path / "temp-a"), _path(jvm, tmp_path / "00000000000000000001.json"),
                            renames)

    assert (tmp_path / "00000000000000000001.json").read_text() == "committed first"
    file_context.rename(_path(jvm, tmp_path / "temp-a"), _path(jvm, tmp_path / "00000000000000000002.json"), renames)
    assert (tmp_path / "00000000000000000002.json").read_text() == "a"
