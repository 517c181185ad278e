package io.github.iotcatalog.localfs;

import org.apache.hadoop.fs.LocalFileSystem;

/**
 * The checksummed local file system ({@code file:} for {@link org.apache.hadoop.fs.FileSystem})
 * over {@link NoForkRawLocalFileSystem}.
 *
 * <p>Example: {@code spark.hadoop.fs.file.impl=io.github.iotcatalog.localfs.NoForkLocalFileSystem}.
 */
public class NoForkLocalFileSystem extends LocalFileSystem {

    public NoForkLocalFileSystem() {
        super(new NoForkRawLocalFileSystem());
    }
}
