package jvirt.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.cloudinit.NoCloudSeed;

/**
 * What a NoCloud seed is made of, however the command line names it ({@code cloud-init seed}'s
 * options, {@code run --cloud-init user-data=F,…}, {@code vm create --cloud-init F}): the
 * user-data, and meta-data given as a file or made from an instance id and a host name.
 */
public record SeedSpec(Path userData, Path metaData, Path networkConfig, Path vendorData, String hostname,
        String instanceId) {
    private static final List<String> KEYS =
            List.of("user-data", "meta-data", "network-config", "vendor-data", "hostname", "instance-id");

    public SeedSpec {
        if (userData == null) {
            throw new IllegalArgumentException("a cloud-init seed needs user-data");
        }
        if (metaData != null && (hostname != null || instanceId != null)) {
            throw new IllegalArgumentException("meta-data is used as it is: leave out hostname and instance-id");
        }
    }

    /** {@code user-data=F[,meta-data=F][,network-config=F][,vendor-data=F][,hostname=H][,instance-id=ID]} */
    public static SeedSpec parse(String spec, String option) {
        Map<String, String> o = KeyValues.parse(spec, option, KEYS);
        return new SeedSpec(path(o.get("user-data")), path(o.get("meta-data")), path(o.get("network-config")),
                path(o.get("vendor-data")), o.get("hostname"), o.get("instance-id"));
    }

    /** The same seed with this instance id (for meta-data made here). */
    public SeedSpec withInstanceId(String id) {
        return new SeedSpec(userData, metaData, networkConfig, vendorData, hostname, id);
    }

    private static Path path(String file) {
        return file == null ? null : Path.of(file);
    }

    /** Reads the files and checks them all; an {@link InvalidSeedException} holds every problem. */
    public NoCloudSeed seed() throws IOException {
        byte[] meta = metaData != null ? read(metaData, "meta-data")
                : NoCloudSeed.metaData(instanceId != null ? instanceId : NoCloudSeed.randomInstanceId(), hostname);
        NoCloudSeed seed = new NoCloudSeed(read(userData, "user-data"), meta);
        if (networkConfig != null) {
            seed = seed.withNetworkConfig(read(networkConfig, "network-config"));
        }
        if (vendorData != null) {
            seed = seed.withVendorData(read(vendorData, "vendor-data"));
        }
        return seed.requireValid();
    }

    /** One of a seed's files, at most as large as a seed takes; a missing one is a one-line error. */
    public static byte[] read(Path file, String what) throws IOException {
        try {
            return NoCloudSeed.read(file, what);
        } catch (NoSuchFileException e) {
            throw new IOException(e.getFile() + ": no such file", e);
        }
    }
}
