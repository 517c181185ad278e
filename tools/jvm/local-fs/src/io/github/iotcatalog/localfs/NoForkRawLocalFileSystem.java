package io.github.iotcatalog.localfs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import org.apache.hadoop.fs.FSLinkResolver;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without a child process per file operation.
 *
 * <p>Without the native libhadoop (pip's pyspark ships none), {@link RawLocalFileSystem} runs
 * {@code chmod} for every file it creates and {@code readlink} twice for every rename through
 * {@code FileContext}: Delta's log writes, Spark's streaming offset and commit logs and every
 * Parquet file pay about 5 ms of fork and exec each. This subclass answers the same two calls
 * with {@code java.nio}; everything else is inherited.
 *
 * <p>Example: {@code spark.hadoop.fs.file.impl=io.github.iotcatalog.localfs.NoForkLocalFileSystem}.
 */
public class NoForkRawLocalFileSystem extends RawLocalFileSystem {

    private static final PosixFilePermission[] BITS_HIGH_TO_LOW = {
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE,
    };

    /** The nine rwx bits of {@code permission} as java.nio permissions (sticky bit ignored, as chmod on files). */
    static Set<PosixFilePermission> posixPermissions(FsPermission permission) {
        int mode = permission.toShort() & 0777;
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < BITS_HIGH_TO_LOW.length; bit++) {
            if ((mode & (0400 >> bit)) != 0) {
                permissions.add(BITS_HIGH_TO_LOW[bit]);
            }
        }
        return permissions;
    }

    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
        Files.setPosixFilePermissions(pathToFile(path).toPath(), posixPermissions(permission));
    }

    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
        FileStatus status = linkStatus(path);
        if (status.isSymlink()) {
            status.setSymlink(FSLinkResolver.qualifySymlinkTarget(getUri(), status.getPath(), status.getSymlink()));
        }
        return status;
    }

    @Override
    public Path getLinkTarget(Path path) throws IOException {
        return linkStatus(path).getSymlink();
    }

    /** The status of {@code path} itself, not of what it links to; the symlink target unqualified. */
    private FileStatus linkStatus(Path path) throws IOException {
        java.nio.file.Path file = pathToFile(path).toPath();
        if (!Files.isSymbolicLink(file)) {
            return getFileStatus(path);  // throws FileNotFoundException for a missing path
        }
        Path target = new Path(Files.readSymbolicLink(file).toString());
        try {
            FileStatus linked = getFileStatus(path);
            return new FileStatus(linked.getLen(), false, linked.getReplication(), linked.getBlockSize(),
                    linked.getModificationTime(), linked.getAccessTime(), linked.getPermission(),
                    linked.getOwner(), linked.getGroup(), target, path);
        } catch (FileNotFoundException dangling) {
            return new FileStatus(0, false, 0, 0, 0, 0, FsPermission.getDefault(), "", "", target, path);
        }
    }
}
