package jvirt.cloudinit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import jvirt.cloudinit.Yaml.Mapping;
import jvirt.cloudinit.Yaml.Member;
import jvirt.cloudinit.Yaml.Node;
import jvirt.cloudinit.Yaml.Scalar;

/**
 * A cloud-init NoCloud seed: the volume labelled {@code cidata} whose root holds {@code user-data}
 * and {@code meta-data}, and optionally {@code network-config} and {@code vendor-data}. cloud-init
 * in the guest finds it by its label on any block device and reads the files at first boot (and
 * again whenever the meta-data's {@code instance-id} changes).
 */
public final class NoCloudSeed {
    public static final String VOLUME_ID = "cidata";
    /** A bound on each file: cloud-init sets none, but seeds are small and the files are read into memory. */
    public static final int MAX_FILE_SIZE = 16 << 20;

    private final byte[] userData;
    private final byte[] metaData;
    private final Optional<byte[]> networkConfig;
    private final Optional<byte[]> vendorData;

    private NoCloudSeed(byte[] userData, byte[] metaData, Optional<byte[]> networkConfig, Optional<byte[]> vendorData) {
        this.userData = userData.clone();
        this.metaData = metaData.clone();
        this.networkConfig = networkConfig.map(byte[]::clone);
        this.vendorData = vendorData.map(byte[]::clone);
    }

    /** A seed with this user-data and meta-data (given, or from {@link #metaData(String, String)}). */
    public NoCloudSeed(byte[] userData, byte[] metaData) {
        this(userData, metaData, Optional.empty(), Optional.empty());
    }

    /** This seed with a {@code network-config} (netplan-style version 2, or version 1). */
    public NoCloudSeed withNetworkConfig(byte[] networkConfig) {
        return new NoCloudSeed(userData, metaData, Optional.of(networkConfig), vendorData);
    }

    /** This seed with {@code vendor-data}, in the formats of user-data. */
    public NoCloudSeed withVendorData(byte[] vendorData) {
        return new NoCloudSeed(userData, metaData, networkConfig, Optional.of(vendorData));
    }

    /**
     * meta-data with {@code instance-id} and, when {@code hostname} is not null, {@code local-hostname}.
     *
     * @throws IllegalArgumentException for an instance id or hostname that is not one
     */
    public static byte[] metaData(String instanceId, String hostname) {
        if (!instanceId.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
            throw new IllegalArgumentException("instance id '" + instanceId
                    + "': up to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        StringBuilder yaml = new StringBuilder("instance-id: ").append(quoted(instanceId)).append('\n');
        if (hostname != null) {
            // RFC 1123: dot-separated labels of letters, digits and inner hyphens.
            if (hostname.length() > 253 || !hostname.matches("([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
                throw new IllegalArgumentException("hostname '" + hostname
                        + "': dot-separated labels of up to 63 letters, digits and inner hyphens");
            }
            yaml.append("local-hostname: ").append(quoted(hostname)).append('\n');
        }
        return yaml.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Single quotes where YAML would read the plain text as something other than this string (a number, true …). */
    private static String quoted(String s) {
        boolean plainIsString = s.matches("[A-Za-z][A-Za-z0-9._-]*") && !Yaml.YAML11_BOOLEANS.contains(s)
                && !Set.of("true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL").contains(s);
        return plainIsString ? s : "'" + s + "'";
    }

    /** A fresh instance id, {@code iid-} and a random UUID: a new one makes cloud-init run again. */
    public static String randomInstanceId() {
        return "iid-" + UUID.randomUUID();
    }

    /**
     * Reads a seed file, refusing one larger than {@link #MAX_FILE_SIZE} without reading it all.
     *
     * @param source the file's name in messages ({@code user-data} …)
     */
    public static byte[] read(Path file, String source) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(MAX_FILE_SIZE + 1);
            if (data.length > MAX_FILE_SIZE) {
                throw new IOException(source + " " + file + ": larger than " + (MAX_FILE_SIZE >> 20) + " MiB");
            }
            return data;
        }
    }

    /** Everything that would make cloud-init ignore or misread a file; empty when the seed is good to boot. */
    public List<Problem> validate() {
        List<Problem> problems = new ArrayList<>(UserData.validate("user-data", userData));
        problems.addAll(metaDataProblems(metaData));
        networkConfig.ifPresent(n -> problems.addAll(networkConfigProblems(n)));
        vendorData.ifPresent(v -> problems.addAll(UserData.validate("vendor-data", v)));
        return problems;
    }

    /** This seed, when {@link #validate()} finds nothing; else every problem, in an exception. */
    public NoCloudSeed requireValid() {
        List<Problem> problems = validate();
        if (!problems.isEmpty()) {
            throw new InvalidSeedException(problems);
        }
        return this;
    }

    /** meta-data is YAML (JSON too, being YAML): a mapping, or empty. */
    static List<Problem> metaDataProblems(byte[] data) {
        Yaml.Result yaml = Yaml.read("meta-data", data);
        if (yaml.problems().isEmpty() && yaml.root() != null && !(yaml.root() instanceof Mapping)) {
            return List.of(new Problem("meta-data", yaml.root().at().line(), yaml.root().at().column(),
                    "must be a mapping (instance-id: …), not " + yaml.root().kind()));
        }
        return yaml.problems();
    }

    /** network-config: a mapping with {@code version: 1} or {@code 2}, at the top or under {@code network:}. */
    static List<Problem> networkConfigProblems(byte[] data) {
        Yaml.Result yaml = Yaml.read("network-config", data);
        if (!yaml.problems().isEmpty()) {
            return yaml.problems();
        }
        Node root = yaml.root();
        if (root instanceof Mapping top
                && member(top, "network").map(Member::value).orElse(null) instanceof Mapping network) {
            root = network;
        }
        if (!(root instanceof Mapping config)) {
            return List.of(root == null ? Problem.of("network-config", "empty; it needs 'version: 2' (or 1)")
                    : new Problem("network-config", root.at().line(), root.at().column(),
                            "must be a mapping with 'version: 2' (or 1), not " + root.kind()));
        }
        Optional<Member> version = member(config, "version");
        if (version.isEmpty()) {
            return List.of(new Problem("network-config", config.at().line(), config.at().column(), "has no 'version' (2 or 1)"));
        }
        if (!(version.get().value() instanceof Scalar s && s.value() instanceof Number n
                && (n.toString().equals("1") || n.toString().equals("2")))) {
            return List.of(new Problem("network-config", version.get().at().line(), version.get().at().column(),
                    "version must be 1 or 2"));
        }
        return List.of();
    }

    private static Optional<Member> member(Mapping mapping, String key) {
        return mapping.members().stream().filter(m -> m.key().equals(key)).findFirst();
    }

    /** The seed as an ISO 9660 image labelled {@code cidata}, timestamped {@code recorded}. */
    public IsoImage image(Instant recorded) {
        IsoImage image = new IsoImage(VOLUME_ID, recorded).add("meta-data", metaData).add("user-data", userData);
        networkConfig.ifPresent(n -> image.add("network-config", n));
        vendorData.ifPresent(v -> image.add("vendor-data", v));
        return image;
    }
}
