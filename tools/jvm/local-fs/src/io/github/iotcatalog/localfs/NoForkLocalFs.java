package io.github.iotcatalog.localfs;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.local.LocalConfigKeys;

/**
 * The checksummed local file system for {@code FileContext} (what Delta's HDFSLogStore and
 * Spark's checkpoint file manager rename through) over {@link NoForkRawLocalFileSystem}; the
 * counterpart of Hadoop's {@code LocalFs}.
 *
 * <p>Example: {@code spark.hadoop.fs.AbstractFileSystem.file.impl=io.github.iotcatalog.localfs.NoForkLocalFs}.
 */
public class NoForkLocalFs extends ChecksumFs {

    public NoForkLocalFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
        super(new Raw(uri, conf));
    }

    /** The unchecksummed layer, as Hadoop's {@code RawLocalFs}, delegating to {@link NoForkRawLocalFileSystem}. */
    static final class Raw extends DelegateToFileSystem {

        Raw(URI uri, Configuration conf) throws IOException, URISyntaxException {
            super(uri, new NoForkRawLocalFileSystem(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
        }

        @Override
        public int getUriDefaultPort() {
            return -1;
        }

        @Override
        public FsServerDefaults getServerDefaults(Path path) throws IOException {
            return LocalConfigKeys.getServerDefaults();
        }

        @Override
        @Deprecated
        public FsServerDefaults getServerDefaults() throws IOException {
            return LocalConfigKeys.getServerDefaults();
        }

        @Override
        public boolean isValidName(String src) {
            return true;
        }
    }
}
