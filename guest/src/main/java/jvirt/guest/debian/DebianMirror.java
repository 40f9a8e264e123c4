package jvirt.guest.debian;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jvirt.guest.Progress;
import org.tukaani.xz.XZInputStream;

/**
 * A Debian mirror over HTTP: a suite's Release file, its Packages indexes and pool files, every one
 * checked against the size and SHA256 the archive promises. A failed or damaged transfer is retried
 * once; what fails twice is reported in one line.
 */
public final class DebianMirror implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    private static final long MAX_RELEASE_BYTES = 64L << 20;

    private final URI root;
    private final HttpClient http;

    /** {@code root} is the directory that holds {@code dists/} and {@code pool/}. */
    public DebianMirror(URI root) {
        String text = root.toString();
        this.root = URI.create(text.endsWith("/") ? text : text + "/");
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    public URI root() {
        return root;
    }

    /** The Release file of {@code suite} (e.g. trixie), read from {@code Release} or else {@code InRelease}. */
    public ReleaseFile release(String suite) throws IOException {
        String directory = "dists/" + suite + "/";
        try {
            return ReleaseFile.parse(fetchText(directory + "Release"), directory);
        } catch (FileNotFoundException noRelease) {
            try {
                return ReleaseFile.parseInRelease(fetchText(directory + "InRelease"), directory);
            } catch (FileNotFoundException noInRelease) {
                throw new IOException("the mirror " + root + " has no " + directory + "Release or InRelease; set "
                        + AptSources.MIRROR_VARIABLE + " to a Debian mirror URL", noInRelease);
            }
        }
    }

    /**
     * Downloads, verifies and reads {@code component/binary-ARCH/Packages.xz} for each
     * architecture; {@code all} only where the other indexes do not list its packages already.
     */
    public PackagesIndex packages(ReleaseFile release, String component, List<String> architectures, Progress progress)
            throws IOException {
        List<PackageStanza> stanzas = new ArrayList<>();
        for (String architecture : architectures) {
            if (architecture.equals("all") && architectures.size() > 1 && release.allInArchitectureIndexes()) {
                continue; // its packages are in the other indexes already: one download (and one mirror file) less
            }
            RemoteFile index = release.indexFile(component + "/binary-" + architecture + "/Packages.xz");
            ByteArrayOutputStream xz = new ByteArrayOutputStream((int) Math.min(index.size(), Integer.MAX_VALUE - 8));
            retryOnce(index, () -> {
                xz.reset();
                fetch(index, xz, "fetching the " + architecture + " Packages index", progress);
            });
            progress.begin("reading the " + architecture + " Packages index", xz.size());
            try (Reader reader = new InputStreamReader(new XZInputStream(
                    new CountingInputStream(new ByteArrayInputStream(xz.toByteArray()), progress::advance)),
                    StandardCharsets.UTF_8)) {
                stanzas.addAll(PackagesIndex.parse(reader));
            } catch (IOException e) {
                throw new IOException("cannot read " + index.path() + " from " + root + ": " + describe(e), e);
            } finally {
                progress.done();
            }
        }
        return new PackagesIndex(stanzas);
    }

    /**
     * Downloads {@code file} to {@code target}, by way of {@code target.part} so that {@code target}
     * appears only complete and verified.
     */
    public void download(RemoteFile file, Path target, String what, Progress progress) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        retryOnce(file, () -> {
            try (OutputStream out = Files.newOutputStream(part)) {
                fetch(file, out, what, progress);
            } catch (IOException e) {
                Files.deleteIfExists(part);
                throw e;
            }
        });
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        http.close();
    }

    private interface Transfer {
        void run() throws IOException;
    }

    private void retryOnce(RemoteFile file, Transfer transfer) throws IOException {
        try {
            transfer.run();
        } catch (FileNotFoundException | InterruptedIOException e) {
            throw e;
        } catch (IOException first) {
            try {
                transfer.run();
            } catch (IOException second) {
                second.addSuppressed(first);
                throw new IOException("download of " + root.resolve(file.path()) + " failed twice: " + describe(second)
                        + "; try again later, or set " + AptSources.MIRROR_VARIABLE + " to another Debian mirror", second);
            }
        }
    }

    /** Streams {@code file} into {@code sink}, hashing as it goes; never reads past the promised size. */
    private void fetch(RemoteFile file, OutputStream sink, String what, Progress progress) throws IOException {
        progress.begin(what, file.size());
        try (InputStream body = open(file.path())) {
            MessageDigest digest = Sha256.newDigest();
            byte[] buffer = new byte[1 << 16];
            long count = 0;
            for (int n; (n = body.readNBytes(buffer, 0, (int) Math.min(buffer.length, file.size() + 1 - count))) > 0; ) {
                count += n;
                if (count > file.size()) { // one byte too many is enough to know the file is wrong
                    throw new ChecksumMismatchException(file.fileName() + ": got more than the expected " + file.size() + " bytes");
                }
                digest.update(buffer, 0, n);
                sink.write(buffer, 0, n);
                progress.advance(n);
            }
            file.verify(count, Sha256.hex(digest));
        } finally {
            progress.done();
        }
    }

    private String fetchText(String path) throws IOException {
        try (InputStream body = open(path)) {
            byte[] bytes = body.readNBytes((int) MAX_RELEASE_BYTES + 1);
            if (bytes.length > MAX_RELEASE_BYTES) {
                throw new IOException(root.resolve(path) + " is larger than " + (MAX_RELEASE_BYTES >> 20) + " MB");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The body of a successful GET; FileNotFoundException for 404 and 410, which a retry will not fix. */
    private InputStream open(String path) throws IOException {
        URI uri = root.resolve(path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(RESPONSE_TIMEOUT).header("User-Agent", "jvirt").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while fetching " + uri);
        } catch (IOException e) {
            throw new IOException("cannot fetch " + uri + ": " + describe(e), e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        response.body().close();
        String message = uri + ": HTTP " + status;
        throw status == 404 || status == 410 ? new FileNotFoundException(message) : new IOException(message);
    }

    /** An exception's message for a one-line error; some exceptions (EOF, network) come without one. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message.replace('\n', ' ');
        }
        return e instanceof EOFException ? "unexpected end of data" : e.getClass().getSimpleName();
    }
}
